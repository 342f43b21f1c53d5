// The server-side password pepper (SECURITY-REQUIREMENTS "Passwords": an HMAC key in a file
// outside the database, 0600). PasswordHasher keys HMAC-SHA-256 with it before Argon2id, so
// a copy of the database alone is useless for offline guessing.
//
// Back the file up separately from the database, and never lose it: without it no stored
// password hash can be verified any more (every user would have to reset their password).
//
// Contract: call once at start-up, from one process (two processes creating the file at the
// same instant could each keep a different pepper). Not meant for hot paths: blocking I/O.
#pragma once

#include <cstddef>
#include <filesystem>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::auth {

constexpr std::size_t kPepperBytes = 32;

// Loads the pepper from `file`, or, when the file does not exist, creates it: 32 bytes from
// the CSPRNG, written atomically with mode 0600 (its folder is created 0700 if missing).
// Errors:
//   "pepper_file_insecure" (failed_precondition): group or others have any permission on the
//       file; the message names the path and the chmod to run. Nothing is read.
//   "pepper_file_corrupt" (data_loss): not a regular file, or not exactly 32 bytes.
//   "pepper_file_unreadable" (internal): it exists but cannot be opened or read.
//   "directory_create_failed", "file_write_failed" (internal): creation failed.
// These messages are for the operator at start-up and name the path; never send them to
// HTTP clients.
Result<SecretBytes> load_or_create_pepper(const std::filesystem::path& file);

}  // namespace hippocrate::auth
