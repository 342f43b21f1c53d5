// Key files: exactly `size` random secret bytes in a file of mode 0600, created on first
// use (atomically, folder 0700) and checked on every load.
//
// Load checks run on the opened descriptor (fstat), so the file cannot be swapped between
// the check and the read, and the bytes go straight into SecretBytes (never a std::string).
// Errors, with `names.code_prefix` (e.g. "pepper_file"):
//   <prefix>_insecure   (failed_precondition) readable or writable by others: the message
//                       gives the chmod to run;
//   <prefix>_corrupt    (data_loss) not a regular file, or not exactly `size` bytes;
//   <prefix>_unreadable (internal) cannot be opened or read.
// Messages name the path: they are for the operator at start-up, never for HTTP clients.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate {

struct KeyFileNames {
  std::string_view code_prefix;  // "pepper_file", "audit_key"
  std::string_view description;  // "the pepper file"
  std::string_view on_loss;      // advice when corrupt, e.g. "restore it from a backup"
};

// Reads a private file the server does not create (e.g. the TLS private key, PEM) of at
// most `max_size` bytes, with the same checks on the open descriptor as a key file: a
// regular file (else <prefix>_corrupt, also when empty or larger), no access for group or
// others (else <prefix>_insecure, with the chmod to run), readable (else <prefix>_unreadable).
Result<SecretBytes> read_private_file(const std::filesystem::path& file, std::size_t max_size,
                                      const KeyFileNames& names);

// Loads the key file, or creates it with fresh random bytes when missing.
Result<SecretBytes> load_or_create_key_file(const std::filesystem::path& file, std::size_t size,
                                            const KeyFileNames& names);

}  // namespace hippocrate
