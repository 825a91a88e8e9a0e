// Nesting depth of JSON text, checked before parsing untrusted JSON: copying,
// dumping or destroying a parsed value recurses once per level, so a file
// nesting [[[[...]]]] a million levels deep would overflow the stack.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace nabla::io::detail {

// The deepest nesting of arrays/objects in `text` (brackets inside strings ignored).
inline size_t json_nesting_depth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// Deepest nesting accepted in configs (nabla's own configs need fewer than 20 levels).
inline constexpr size_t kMaxConfigNesting = 256;

}  // namespace nabla::io::detail
