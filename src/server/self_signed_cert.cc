#include "server/self_signed_cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "base/files.h"

namespace hippocrate::server {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Deleter>;

Error generation_failed() {
  return Error::internal("certificate_generation_failed",
                         "could not generate the development TLS certificate");
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Builds the key and certificate as PEM strings.
Result<std::pair<std::string, std::string>> generate_pem() {
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  Owned<X509> cert(X509_new());
  Owned<BIGNUM> serial(BN_new());
  if (!key || !cert || !serial) return generation_failed();
  // RFC 5280 §4.1.2.2: positive serial, at most 20 octets; 159 random bits.
  if (BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return generation_failed();
  }
  X509_set_version(cert.get(), 2);  // v3
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 397L * 24 * 60 * 60);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Hippocrate"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("Hippocrate development certificate"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  if (!add_extension(cert.get(), NID_subject_alt_name,
                     "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1") ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return generation_failed();
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return generation_failed();

  Owned<BIO> key_bio(BIO_new(BIO_s_mem()));
  Owned<BIO> cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return generation_failed();
  }
  return std::pair{bio_to_string(key_bio.get()), bio_to_string(cert_bio.get())};
}

}  // namespace

Result<CertificatePaths> ensure_self_signed_certificate(const std::filesystem::path& tls_dir,
                                                        bool* generated) {
  CertificatePaths paths{tls_dir / "cert.pem", tls_dir / "key.pem"};
  if (generated != nullptr) *generated = false;
  std::error_code ec;
  if (std::filesystem::exists(paths.certificate, ec) &&
      std::filesystem::exists(paths.private_key, ec)) {
    return paths;
  }
  HIPPO_RETURN_IF_ERROR(ensure_directory(tls_dir, 0700));
  HIPPO_ASSIGN_OR_RETURN(auto pem, generate_pem());
  auto& [key_pem, cert_pem] = pem;
  // The key first: a certificate without its key would be reused at the next start.
  auto key_status = write_file_atomic(
      paths.private_key, {reinterpret_cast<const std::uint8_t*>(key_pem.data()), key_pem.size()},
      0600);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  HIPPO_RETURN_IF_ERROR(key_status);
  HIPPO_RETURN_IF_ERROR(write_file_atomic(
      paths.certificate, {reinterpret_cast<const std::uint8_t*>(cert_pem.data()), cert_pem.size()},
      0644));
  if (generated != nullptr) *generated = true;
  return paths;
}

}  // namespace hippocrate::server
