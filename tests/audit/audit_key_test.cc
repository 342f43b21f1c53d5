// The audit key files: creation, permissions, corruption, and the public key file.
#include "audit/audit_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "audit/audit_test_support.h"
#include "base/encoding.h"
#include "base/files.h"

namespace hippocrate::audit {
namespace {

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 07777;
}

class AuditKeyTest : public ::testing::Test {
 protected:
  ::hippocrate::testing::TempDir dir_;
};

TEST_F(AuditKeyTest, CreatesThenLoadsTheSameKeyWithStrictModes) {
  ASSERT_OK_AND_ASSIGN(SecretBytes first, load_or_create_audit_key(dir_.path()));
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(mode_of(audit_key_path(dir_.path())), 0600u);
  EXPECT_EQ(mode_of(dir_.path() / "keys"), 0700u);
  ASSERT_OK_AND_ASSIGN(SecretBytes again, load_or_create_audit_key(dir_.path()));
  EXPECT_TRUE(again.constant_time_equals(first.span()));

  ASSERT_OK_AND_ASSIGN(auto pk, audit_public_key(first));
  ASSERT_OK_AND_ASSIGN(auto stored, load_audit_public_key(dir_.path()));
  EXPECT_EQ(stored, pk);
  EXPECT_EQ(read_file(audit_public_key_path(dir_.path()), 1024).value(), hex_encode(pk) + "\n");
}

TEST_F(AuditKeyTest, RefusesAKeyReadableByOthers) {
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  ASSERT_EQ(::chmod(audit_key_path(dir_.path()).c_str(), 0640), 0);
  EXPECT_ERROR_CODE(load_or_create_audit_key(dir_.path()), "audit_key_insecure");
}

TEST_F(AuditKeyTest, RefusesAKeysFolderWritableByOthers) {
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  ASSERT_EQ(::chmod((dir_.path() / "keys").c_str(), 0777), 0);
  EXPECT_ERROR_CODE(load_or_create_audit_key(dir_.path()), "audit_key_insecure");
}

TEST_F(AuditKeyTest, RefusesAKeyOfTheWrongSize) {
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  const Bytes short_key(31, 7);
  ASSERT_OK(write_file_atomic(audit_key_path(dir_.path()), short_key, 0600));
  EXPECT_ERROR_CODE(load_or_create_audit_key(dir_.path()), "audit_key_corrupt");
}

TEST_F(AuditKeyTest, RefusesAPublicKeyFileOfAnotherKey) {
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  const std::string other = std::string(64, 'a') + "\n";
  ASSERT_OK(write_file_atomic(audit_public_key_path(dir_.path()), as_bytes(other), 0644));
  EXPECT_ERROR_CODE(load_or_create_audit_key(dir_.path()), "audit_public_key_mismatch");
}

TEST_F(AuditKeyTest, RewritesAMissingPublicKeyFile) {
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  std::filesystem::remove(audit_public_key_path(dir_.path()));
  ASSERT_OK(load_or_create_audit_key(dir_.path()));
  EXPECT_OK(load_audit_public_key(dir_.path()));
}

TEST_F(AuditKeyTest, RejectsAMalformedPublicKeyFile) {
  ASSERT_OK(ensure_directory(dir_.path() / "keys", 0700));
  ASSERT_OK(write_file_atomic(audit_public_key_path(dir_.path()), as_bytes("not hex\n"), 0644));
  EXPECT_ERROR_CODE(load_audit_public_key(dir_.path()), "audit_public_key_invalid");
}

}  // namespace
}  // namespace hippocrate::audit
