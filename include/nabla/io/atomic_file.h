// Atomic file writes: a file nabla writes is either the old one or the complete
// new one, never a mix, even if the process is killed or the machine loses power
// in the middle.
//
// The bytes go to a temporary file in the same directory ("<name>.tmp.<pid>.<n>"),
// which is fsync'ed, renamed over the target (rename is atomic within one file
// system), and then the directory is fsync'ed so the rename itself is durable.
#pragma once
#include <filesystem>
#include <functional>
#include <cstdint>
#include <string>
#include <string_view>

namespace nabla::io {

// Writes `bytes` to `path` atomically. Creates no directories: the parent must
// exist (NotFound otherwise). Throws nb::Error (InvalidArgument, NotFound,
// FailedPrecondition, ResourceExhausted for a full disk) naming the path and the
// system's reason; the temporary file is removed on failure and `path` keeps its
// previous content.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The same, for content produced in pieces: `produce` is called once with a
// sink that appends bytes to the temporary file.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(const std::function<void(std::string_view)>& sink)>& produce);

// Reads a whole file (NotFound if missing, DataLoss on a read error). Refuses
// files larger than `max_bytes` (ResourceExhausted) so a corrupt or hostile
// path cannot make nabla allocate without bound.
std::string read_file(const std::filesystem::path& path, uint64_t max_bytes = uint64_t(1) << 40);

}  // namespace nabla::io
