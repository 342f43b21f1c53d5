// `hippocrate admin audit verify --data-dir DIR`, ready to be wired into the CLI.
//
// Opens the store at sqlite://<data_dir>/hippocrate.db (never creating it), reads the public
// key from <data_dir>/keys/audit.pub — or uses `pinned_key`, a copy the auditor kept
// off-box, which is the stronger check — verifies the whole chain and prints to `out`:
//   audit log intact: N records, M checkpoints, last seq S
//   last checkpoint: seq C, hash <hex>        (compare with a copy kept off-box)
// or
//   audit log TAMPERED: record S was <kind>
//   <one line of explanation>
// Returns 0 when intact, 1 when tampered, 2 when the database or the key cannot be read
// (with a line saying why). Never reads the private key. Safe to run while the server runs
// (one read snapshot; note that opening applies pending schema migrations, as serve does).
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>

#include "crypto/ed25519.h"

namespace hippocrate::audit {

int run_audit_verify(const std::filesystem::path& data_dir, std::FILE* out,
                     const std::optional<crypto::Ed25519PublicKey>& pinned_key = std::nullopt);

}  // namespace hippocrate::audit
