#include "nabla/core/indexing.h"

#include <charconv>
#include <string>

#include "nabla/core/error.h"

namespace nabla {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view spec, std::string_view part, const char* why) {
  throw InvalidArgument(detail::str_cat("invalid index expression \"", spec, "\": ", why, " in \"",
                                        part, "\""));
}

std::optional<int64_t> parse_int(std::string_view spec, std::string_view part) {
  part = trim(part);
  if (part.empty()) return std::nullopt;
  if (part == "None") return std::nullopt;
  int64_t v = 0;
  std::string_view digits = part;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size()) bad(spec, part, "expected an integer");
  return v;
}

}  // namespace

std::vector<TensorIndex> parse_index(std::string_view spec) {
  std::vector<TensorIndex> out;
  if (trim(spec).empty()) bad(spec, spec, "empty index");
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    const std::string_view part = trim(spec.substr(pos, comma - pos));
    pos = comma + 1;
    if (part.empty()) bad(spec, part, "empty index element");
    if (part == "...") { out.emplace_back(Ellipsis); continue; }
    if (part == "None" || part == "newaxis") { out.emplace_back(NewAxis); continue; }
    const size_t c1 = part.find(':');
    if (c1 == std::string_view::npos) {
      out.emplace_back(*parse_int(spec, part));
      continue;
    }
    const size_t c2 = part.find(':', c1 + 1);
    if (c2 != std::string_view::npos && part.find(':', c2 + 1) != std::string_view::npos)
      bad(spec, part, "too many ':'");
    auto opt = [](std::optional<int64_t> v) { return v ? SliceBound(*v) : SliceBound(None); };
    const auto start = parse_int(spec, part.substr(0, c1));
    const auto stop = parse_int(spec, part.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1));
    const auto step = c2 == std::string_view::npos ? std::nullopt : parse_int(spec, part.substr(c2 + 1));
    if (step && *step == 0) bad(spec, part, "slice step cannot be zero");
    out.emplace_back(Slice(opt(start), opt(stop), opt(step)));
  }
  return out;
}

}  // namespace nabla
