// TLS policy for the HTTPS listener (docs/security.md, SECURITY-REQUIREMENTS "Transport"):
//   - TLS 1.2 and 1.3 only;
//   - TLS 1.2: ECDHE key exchange with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305):
//     no RSA key exchange, no CBC, no SHA-1 MACs;
//   - TLS 1.3: its three standard AEAD suites;
//   - no compression, no renegotiation, no TLS 1.2 session tickets (forward secrecy);
//   - groups X25519, P-256, P-384.
// Uses OpenSSL directly, no Asio, so the policy is testable on its own.
#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>

#include "base/result.h"

namespace hippocrate::server {

// Applies the policy to `ctx` and loads the certificate chain and private key (PEM).
// The key file is refused unless it is a regular file no other user may read or change
// ("tls_private_key_insecure", whose message gives the chmod to run: the same check as the
// server's own key files, base/key_file.h). Errors: "tls_certificate_unreadable",
// "tls_private_key_insecure", "tls_private_key_unreadable", "tls_private_key_corrupt",
// "tls_key_mismatch", "tls_configuration_failed". Messages name the files.
Status configure_tls_context(SSL_CTX* ctx, const std::filesystem::path& cert_chain_file,
                             const std::filesystem::path& private_key_file);

// A new server SSL_CTX with the policy, the certificate chain and the key (as above).
// Shared: each connection's SSL also holds a reference (SSL_new), so a context replaced by
// a reload stays alive until its last connection ends.
using TlsContextPtr = std::shared_ptr<SSL_CTX>;
Result<TlsContextPtr> make_tls_context(const std::filesystem::path& cert_chain_file,
                                       const std::filesystem::path& private_key_file);

// The TLS 1.2 cipher list we allow (OpenSSL names).
const char* tls12_cipher_list();

}  // namespace hippocrate::server
