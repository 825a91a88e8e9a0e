#include "nabla/data/csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/ops/creation.h"

namespace nabla::data {
namespace {

using detail::str_cat;

// Splits one line into cells, honouring double quotes ("" inside quotes is a
// literal quote); surrounding spaces/tabs and the quotes are removed.
std::vector<std::string> split_line(std::string_view line, char delim) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false;
  bool was_quoted = false;
  auto finish = [&] {
    if (!was_quoted) {
      const size_t b = cur.find_first_not_of(" \t");
      const size_t e = cur.find_last_not_of(" \t");
      cur = b == std::string::npos ? std::string() : cur.substr(b, e - b + 1);
    }
    cells.push_back(std::move(cur));
    cur.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == delim) {
      finish();
    } else if (c == '"' && cur.find_first_not_of(" \t") == std::string::npos) {
      cur.clear();
      quoted = was_quoted = true;
    } else if (was_quoted && (c == ' ' || c == '\t')) {
      // spaces after a closing quote
    } else {
      cur += c;
    }
  }
  finish();
  return cells;
}

// Parses a whole cell as a number; nullopt when it is not one.
std::optional<double> parse_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  if (b == e || *b == '+') return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(b, e, v, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range) return std::strtod(s.c_str(), nullptr);  // +-inf or denormal/0
  if (r.ec != std::errc() || r.ptr != e) return std::nullopt;
  return v;
}

// Checks that `v` can be stored exactly in integral dtype `dt`.
void check_integral(double v, DType dt, const std::string& where) {
  if (is_floating(dt)) return;
  double lo = 0, hi = 0;
  switch (dt) {
    case DType::bool_: lo = 0; hi = 1; break;
    case DType::uint8: lo = 0; hi = 255; break;
    case DType::int8: lo = -128; hi = 127; break;
    case DType::int16: lo = -32768; hi = 32767; break;
    case DType::int32: lo = -2147483648.0; hi = 2147483647.0; break;
    default: lo = -9223372036854775808.0; hi = 9223372036854774784.0; break;  // int64 (largest double < 2^63)
  }
  NB_CHECK(std::isfinite(v) && v == std::trunc(v), InvalidArgument, "read_csv: ", where, ": the value ", v,
           " is not an integer, but the requested dtype is ", dtype_name(dt));
  NB_CHECK(v >= lo && v <= hi, InvalidArgument, "read_csv: ", where, ": the value ", v, " is out of range for ",
           dtype_name(dt), " [", lo, ", ", hi, "]");
}

}  // namespace

CsvData read_csv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  NB_CHECK(in.is_open(), NotFound, "read_csv: cannot open '", path, "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  NB_CHECK(options.delimiter != '"' && options.delimiter != '\n' && options.delimiter != '\r', InvalidArgument,
           "read_csv: the delimiter cannot be a quote or a line break");

  // Split into non-blank lines, remembering their 1-based line numbers.
  std::vector<std::pair<int64_t, std::string_view>> lines;
  {
    size_t pos = 0;
    int64_t number = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++number;
      if (line.find_first_not_of(" \t") != std::string_view::npos) lines.emplace_back(number, line);
      pos = end + 1;
    }
  }
  NB_CHECK(!lines.empty(), InvalidArgument, "read_csv: '", path, "' is empty; expected ",
           options.header ? "a header line and " : "", "at least one row of numbers");

  std::vector<std::string> names;
  size_t first_row = 0;
  size_t ncols = 0;
  if (options.header) {
    names = split_line(lines[0].second, options.delimiter);
    ncols = names.size();
    first_row = 1;
    NB_CHECK(lines.size() > 1, InvalidArgument, "read_csv: '", path, "' has a header but no rows of data");
  } else {
    ncols = split_line(lines[0].second, options.delimiter).size();
  }

  // Which column holds the labels.
  int64_t label_col = -1;
  if (options.has_labels) {
    if (!options.label_column.empty()) {
      NB_CHECK(options.header, InvalidArgument, "read_csv: label_column '", options.label_column,
               "' needs a header line; set header = true or use label_index");
      for (size_t c = 0; c < names.size(); ++c)
        if (names[c] == options.label_column) label_col = int64_t(c);
      if (label_col < 0) {
        std::string all;
        for (size_t c = 0; c < names.size(); ++c) all += (c ? ", " : "") + ("'" + names[c] + "'");
        throw InvalidArgument(str_cat("read_csv: '", path, "': no column named '", options.label_column,
                                      "'; the columns are ", all));
      }
    } else {
      const int64_t n = int64_t(ncols);
      label_col = options.label_index < 0 ? options.label_index + n : options.label_index;
      NB_CHECK(label_col >= 0 && label_col < n, InvalidArgument, "read_csv: '", path, "': label_index ",
               options.label_index, " is out of range for ", n, " columns; expected [", -n, ", ", n, ")");
    }
    NB_CHECK(ncols >= 2, InvalidArgument, "read_csv: '", path, "' has ", ncols,
             " column; expected at least 2 (features and a label), or set has_labels = false");
  }

  const size_t nrows = lines.size() - first_row;
  const size_t nfeat = ncols - (label_col >= 0 ? 1 : 0);
  std::vector<double> xs;
  std::vector<double> ys;
  xs.reserve(nrows * nfeat);
  ys.reserve(label_col >= 0 ? nrows : 0);
  for (size_t r = first_row; r < lines.size(); ++r) {
    // Not a structured binding: clang < 16 cannot capture one in the lambda below.
    const auto& line_no = lines[r].first;
    const auto& line = lines[r].second;
    const std::vector<std::string> cells = split_line(line, options.delimiter);
    NB_CHECK(cells.size() == ncols, InvalidArgument, "read_csv: '", path, "' line ", line_no, " has ", cells.size(),
             " cells; expected ", ncols, " as in line ", lines[0].first);
    for (size_t c = 0; c < ncols; ++c) {
      auto where = [&] {
        return str_cat("'", path, "' line ", line_no, ", column ", c + 1,
                       names.empty() ? std::string() : " ('" + names[c] + "')");
      };
      const std::optional<double> v = parse_number(cells[c]);
      if (!v) {
        throw InvalidArgument(cells[c].empty()
                                  ? str_cat("read_csv: ", where(), ": the cell is empty; expected a number")
                                  : str_cat("read_csv: ", where(), ": expected a number, found '", cells[c], "'"));
      }
      const bool is_label = int64_t(c) == label_col;
      check_integral(*v, is_label ? options.label_dtype : options.dtype, where());
      (is_label ? ys : xs).push_back(*v);
    }
  }

  CsvData out;
  out.x = nabla::detail::make_from_doubles(xs, Shape{int64_t(nrows), int64_t(nfeat)}, options.dtype);
  if (label_col >= 0) out.y = nabla::detail::make_from_doubles(ys, Shape{int64_t(nrows)}, options.label_dtype);
  for (size_t c = 0; c < names.size(); ++c) {
    if (int64_t(c) == label_col) out.label_name = names[c];
    else out.column_names.push_back(names[c]);
  }
  return out;
}

}  // namespace nabla::data
