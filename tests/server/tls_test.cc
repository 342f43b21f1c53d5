#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <fstream>

#include "server/self_signed_cert.h"
#include "server/tls_context.h"
#include "support/temp_dir.h"

namespace hippocrate::server {
namespace {

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(SelfSignedCertificate, GeneratedOnceWithPrivateKeyMode0600) {
  testing::TempDir dir;
  bool generated = false;
  auto paths = ensure_self_signed_certificate(dir.path() / "tls", &generated);
  ASSERT_TRUE(paths.ok()) << paths.error().to_string();
  EXPECT_TRUE(generated);
  EXPECT_EQ(mode_of(paths->private_key), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "tls"), 0700u);
  std::ifstream in(paths->certificate);
  std::string pem((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(pem.find("BEGIN CERTIFICATE"), std::string::npos);

  auto again = ensure_self_signed_certificate(dir.path() / "tls", &generated);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(generated);
  std::ifstream in2(again->certificate);
  EXPECT_EQ(pem, std::string((std::istreambuf_iterator<char>(in2)), {}));
}

TEST(TlsContext, PolicyAllowsOnlyTls12And13WithAeadSuites) {
  testing::TempDir dir;
  auto paths = ensure_self_signed_certificate(dir.path() / "tls");
  ASSERT_TRUE(paths.ok());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_TRUE(configure_tls_context(ctx, paths->certificate, paths->private_key).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    EXPECT_TRUE(SSL_CIPHER_is_aead(c)) << SSL_CIPHER_get_name(c);
    const int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any) << SSL_CIPHER_get_name(c);
  }
  EXPECT_TRUE(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
  EXPECT_EQ(SSL_CTX_get_num_tickets(ctx), 0u);
  SSL_CTX_free(ctx);
}

TEST(TlsContext, MismatchedKeyIsRefused) {
  testing::TempDir a;
  testing::TempDir b;
  auto pa = ensure_self_signed_certificate(a.path() / "tls");
  auto pb = ensure_self_signed_certificate(b.path() / "tls");
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  auto s = configure_tls_context(ctx, pa->certificate, pb->private_key);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), "tls_key_mismatch");
  auto missing = configure_tls_context(ctx, a.path() / "none.pem", pa->private_key);
  EXPECT_EQ(missing.error().code(), "tls_certificate_unreadable");
  SSL_CTX_free(ctx);
}

// A private key that other users may read is refused like the server's own key files
// (base/key_file.h), the message naming the file and the fix.
TEST(TlsContext, KeyReadableByOthersIsRefused) {
  testing::TempDir dir;
  auto paths = ensure_self_signed_certificate(dir.path() / "tls");
  ASSERT_TRUE(paths.ok());
  for (mode_t mode : {0644, 0640, 0604, 0620}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(paths->private_key.c_str(), mode), 0);
    auto ctx = make_tls_context(paths->certificate, paths->private_key);
    ASSERT_FALSE(ctx.ok());
    EXPECT_EQ(ctx.error().code(), "tls_private_key_insecure");
    EXPECT_NE(ctx.error().message().find("chmod 600 " + paths->private_key.string()),
              std::string::npos)
        << ctx.error().message();
  }
  ASSERT_EQ(::chmod(paths->private_key.c_str(), 0600), 0);
  EXPECT_TRUE(make_tls_context(paths->certificate, paths->private_key).ok());
  ASSERT_EQ(::chmod(paths->private_key.c_str(), 0400), 0);
  EXPECT_TRUE(make_tls_context(paths->certificate, paths->private_key).ok());
}

}  // namespace
}  // namespace hippocrate::server
