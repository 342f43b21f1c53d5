#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <memory>

#include "base/key_file.h"

namespace hippocrate::server {

const char* tls12_cipher_list() {
  return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
         "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
         "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}

Status configure_tls_context(SSL_CTX* ctx, const std::filesystem::path& cert_chain_file,
                             const std::filesystem::path& private_key_file) {
  auto fail = [](const char* what) {
    ERR_clear_error();
    return Error::internal("tls_configuration_failed", what);
  };
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return fail("cannot restrict TLS versions");
  }
  if (SSL_CTX_set_cipher_list(ctx, tls12_cipher_list()) != 1) {
    return fail("cannot set the TLS 1.2 cipher list");
  }
  if (SSL_CTX_set_ciphersuites(
          ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") != 1) {
    return fail("cannot set the TLS 1.3 suites");
  }
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
    return fail("cannot set the key exchange groups");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // No resumption at all: no TLS 1.3 tickets (stateless or stateful) and no server-side
  // session cache, which would keep ~2 KiB per connection ever made (up to 20,480) after it
  // closed. Every connection does a full ECDHE handshake; clients reconnect rarely.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_num_tickets(ctx, 0) != 1) return fail("cannot turn TLS 1.3 tickets off");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_chain_file.c_str()) != 1) {
    ERR_clear_error();
    return Error::failed_precondition(
        "tls_certificate_unreadable",
        "cannot read the TLS certificate chain (PEM) at " + cert_chain_file.string());
  }
  // The key file passes the checks of the server's own key files (base/key_file.h): a
  // regular file no other user may read, checked on the open descriptor; read into
  // SecretBytes (wiped), parsed from memory.
  static constexpr KeyFileNames kKeyFile{
      "tls_private_key", "the TLS private key",
      "point tls.private_key at the key (PEM) of tls.certificate"};
  static constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
  HIPPO_ASSIGN_OR_RETURN(SecretBytes pem,
                         read_private_file(private_key_file, kMaxKeyFileBytes, kKeyFile));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
      &EVP_PKEY_free);
  if (!key) {
    ERR_clear_error();
    return Error::failed_precondition(
        "tls_certificate_unreadable",
        "cannot read the TLS private key (PEM) at " + private_key_file.string());
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Error::failed_precondition("tls_key_mismatch",
                                      "the TLS private key does not match the certificate");
  }
  return ok_status();
}

Result<TlsContextPtr> make_tls_context(const std::filesystem::path& cert_chain_file,
                                       const std::filesystem::path& private_key_file) {
  TlsContextPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) {
    ERR_clear_error();
    return Error::internal("tls_configuration_failed", "cannot create a TLS context");
  }
  HIPPO_RETURN_IF_ERROR(configure_tls_context(ctx.get(), cert_chain_file, private_key_file));
  return ctx;
}

}  // namespace hippocrate::server
