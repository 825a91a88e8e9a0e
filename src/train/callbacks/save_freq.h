// Parsing of the save_freq option shared by ModelCheckpoint and BackupAndRestore.
#pragma once
#include <charconv>
#include <string>

#include "nabla/core/error.h"

namespace nabla::callbacks::detail {

// "epoch" -> 0; a positive integer "N" -> N; InvalidArgument naming `who` otherwise.
inline int64_t parse_save_freq(const std::string& s, const char* who) {
  if (s == "epoch") return 0;
  int64_t n = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  NB_CHECK(r.ec == std::errc() && r.ptr == s.data() + s.size() && n > 0, InvalidArgument, who,
           ": save_freq must be \"epoch\" or a positive number of batches, got \"", s, "\"");
  return n;
}

}  // namespace nabla::callbacks::detail
