// load_or_create_pepper: a 32-byte 0600 file, created once, refused when exposed or damaged.
#include "auth/pepper.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace hippocrate::auth {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(Pepper, CreatedWith32RandomBytesAnd0600) {
  const testing::TempDir dir;
  const fs::path file = dir.path() / "secrets" / "pepper";
  auto pepper = load_or_create_pepper(file);
  ASSERT_TRUE(pepper.ok()) << pepper.error().to_string();
  EXPECT_EQ(pepper->size(), kPepperBytes);
  EXPECT_EQ(fs::file_size(file), kPepperBytes);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
  EXPECT_FALSE(pepper->constant_time_equals(SecretBytes(kPepperBytes).span()));  // not zeros
}

TEST(Pepper, ReloadedUnchanged) {
  const testing::TempDir dir;
  const fs::path file = dir.path() / "pepper";
  auto first = load_or_create_pepper(file);
  ASSERT_TRUE(first.ok());
  auto second = load_or_create_pepper(file);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_TRUE(first->constant_time_equals(second->span()));
  // A stricter mode is fine.
  fs::permissions(file, fs::perms::owner_read);
  auto third = load_or_create_pepper(file);
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_TRUE(first->constant_time_equals(third->span()));
}

TEST(Pepper, RefusedWhenOthersMayReadIt) {
  const testing::TempDir dir;
  const fs::path file = dir.path() / "pepper";
  ASSERT_TRUE(load_or_create_pepper(file).ok());
  for (const mode_t mode : {0644, 0640, 0602}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto r = load_or_create_pepper(file);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), "pepper_file_insecure");
    EXPECT_EQ(r.error().kind(), ErrorKind::kFailedPrecondition);
    EXPECT_NE(r.error().message().find(file.string()), std::string::npos);
    EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos);
  }
}

TEST(Pepper, RefusedWhenTruncatedOrTooLong) {
  const testing::TempDir dir;
  const fs::path file = dir.path() / "pepper";
  ASSERT_TRUE(load_or_create_pepper(file).ok());
  fs::resize_file(file, kPepperBytes - 1);
  auto truncated = load_or_create_pepper(file);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code(), "pepper_file_corrupt");
  EXPECT_EQ(fs::file_size(file), kPepperBytes - 1);  // left alone, never regenerated

  fs::resize_file(file, kPepperBytes + 1);
  auto longer = load_or_create_pepper(file);
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code(), "pepper_file_corrupt");
}

TEST(Pepper, RefusedWhenNotARegularFile) {
  const testing::TempDir dir;
  const fs::path file = dir.path() / "pepper";
  fs::create_directory(file);
  fs::permissions(file, fs::perms::owner_all);
  auto r = load_or_create_pepper(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), "pepper_file_corrupt");
}

}  // namespace
}  // namespace hippocrate::auth
