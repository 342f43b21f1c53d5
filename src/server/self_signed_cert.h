// Development certificate: generated on first start when the operator configured none.
//
// An ECDSA P-256 key and a self-signed X.509 v3 certificate (CN=Hippocrate development
// certificate, SAN localhost, 127.0.0.1, ::1, valid 397 days, serverAuth). The key file is
// written atomically with mode 0600 in a 0700 folder; the certificate 0644.
// Clients trust it explicitly (curl --cacert, hippocrate --ca-file); it is never meant for
// production, where the operator points tls.certificate/tls.private_key at real files.
#pragma once

#include <filesystem>

#include "base/result.h"

namespace hippocrate::server {

struct CertificatePaths {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

// Returns the paths in `tls_dir` ("cert.pem", "key.pem"), generating both files when the
// certificate is missing. Existing files are reused as they are.
// `generated` (optional) is set to true when new files were written.
Result<CertificatePaths> ensure_self_signed_certificate(const std::filesystem::path& tls_dir,
                                                        bool* generated = nullptr);

}  // namespace hippocrate::server
