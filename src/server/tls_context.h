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

#include "base/result.h"

namespace hippocrate::server {

// Applies the policy to `ctx` and loads the certificate chain and private key (PEM).
// Errors: "tls_certificate_unreadable", "tls_key_mismatch", "tls_configuration_failed".
Status configure_tls_context(SSL_CTX* ctx, const std::filesystem::path& cert_chain_file,
                             const std::filesystem::path& private_key_file);

// The TLS 1.2 cipher list we allow (OpenSSL names).
const char* tls12_cipher_list();

}  // namespace hippocrate::server
