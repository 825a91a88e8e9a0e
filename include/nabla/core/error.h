// The error hierarchy (DESIGN.md §5). Every error nabla raises derives from
// nabla::Error; its message says what was expected and what was found.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace nabla {

// Base of every nabla exception.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};
// Bad argument: wrong shape, dtype, attribute value, flag.
class InvalidArgument : public Error { public: using Error::Error; };
// Index or value outside the valid range.
class OutOfRange : public Error { public: using Error::Error; };
// A named thing (file, op, layer) does not exist.
class NotFound : public Error { public: using Error::Error; };
// The operation exists but is not implemented for these arguments.
class Unimplemented : public Error { public: using Error::Error; };
// Data is corrupt or truncated.
class DataLoss : public Error { public: using Error::Error; };
// The operation is not valid in the current state (e.g. tape already used).
class FailedPrecondition : public Error { public: using Error::Error; };
// Internal invariant broken: a nabla bug.
class Internal : public Error { public: using Error::Error; };
// Allocation failed.
class ResourceExhausted : public Error { public: using Error::Error; };

namespace detail {
template <typename... Args> std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace nabla

// NB_CHECK(cond, ErrorType, message parts...): throws ErrorType(message) when !cond.
#define NB_CHECK(cond, ErrType, ...)                                  \
  do {                                                                \
    if (!(cond)) [[unlikely]]                                         \
      throw ::nabla::ErrType(::nabla::detail::str_cat(__VA_ARGS__));  \
  } while (0)
