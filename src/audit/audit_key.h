// The audit signing key: an Ed25519 seed in <data_dir>/keys/audit.key (32 raw bytes, mode
// 0600, folder 0700), and its public key in <data_dir>/keys/audit.pub (64 hex characters and
// a newline) so an auditor can verify the log with the public key alone.
//
// Keep a copy of audit.pub OFF the server (with the operator or auditor): someone able to
// rewrite the database and this folder could replace both the log and the key. Back
// audit.key up with the database; losing it does not lose the log (it stays verifiable with
// audit.pub) but new checkpoints would be signed by a new key.
//
// Contract: call load_or_create_audit_key once at start-up from one process (like the
// pepper: two processes creating it at the same instant could keep different keys).
// Blocking I/O; not for hot paths.
#pragma once

#include <filesystem>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "crypto/ed25519.h"

namespace hippocrate::audit {

// <data_dir>/keys/audit.key and <data_dir>/keys/audit.pub.
std::filesystem::path audit_key_path(const std::filesystem::path& data_dir);
std::filesystem::path audit_public_key_path(const std::filesystem::path& data_dir);

// Loads the 32-byte seed, or creates it (CSPRNG, written atomically 0600; the keys folder is
// created 0700). Writes audit.pub when it is missing. Errors:
//   "audit_key_insecure" (failed_precondition): the key file grants any permission to group
//       or others, or the keys folder is writable by them; nothing is read.
//   "audit_key_corrupt" (data_loss): not a regular file, or not exactly 32 bytes;
//   "audit_public_key_mismatch" (data_loss): audit.pub names another key (someone replaced
//       one of the two files: investigate before going on);
//   "audit_key_unreadable", "directory_create_failed", "file_write_failed" (internal).
// Messages name paths: for the operator at start-up, never for HTTP clients.
Result<SecretBytes> load_or_create_audit_key(const std::filesystem::path& data_dir);

// The Ed25519 public key of a seed ("invalid_key_length" for a wrong size).
Result<crypto::Ed25519PublicKey> audit_public_key(const SecretBytes& seed);

// Reads audit.pub (hex). Errors: "file_not_found", "audit_public_key_invalid" (data_loss).
Result<crypto::Ed25519PublicKey> load_audit_public_key(const std::filesystem::path& data_dir);

}  // namespace hippocrate::audit
