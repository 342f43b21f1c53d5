// Small, careful file helpers for keys, certificates and other state files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "base/result.h"

namespace hippocrate {

// Writes `data` to `path` atomically: a temporary file created with `mode` in the same
// folder, fsync'd, renamed over `path`, and the folder fsync'd. A crash leaves either the
// old file or the new one, never a torn one. The file is never readable with looser
// permissions than `mode`, not even briefly. Errors: "file_write_failed".
Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                         mode_t mode);

// Reads a whole file of at most `max_bytes`. Errors: "file_not_found", "file_too_large",
// "file_read_failed".
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes);

// Creates `dir` (and parents) with `mode` if missing; an existing folder keeps its mode.
Status ensure_directory(const std::filesystem::path& dir, mode_t mode);

}  // namespace hippocrate
