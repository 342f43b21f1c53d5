#include "server/data_dir_lock.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "support/temp_dir.h"

namespace hippocrate::server {
namespace {

// flock(2) locks belong to the open file: a second acquire in the same process conflicts
// like a second process would.
TEST(DataDirLock, OneHolderAtATimeNamedByPid) {
  testing::TempDir dir;
  std::optional<DataDirLock> first;
  {
    auto l = DataDirLock::acquire(dir.path());
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    first.emplace(std::move(*l));
  }
  struct stat st {};
  ASSERT_EQ(::stat(DataDirLock::lock_path(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = DataDirLock::acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), "data_dir_in_use");
  EXPECT_NE(second.error().message().find(dir.path().string()), std::string::npos);
  EXPECT_NE(second.error().message().find("(pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << second.error().message();
  first.reset();  // released with its descriptor
  EXPECT_TRUE(DataDirLock::acquire(dir.path()).ok());
}

}  // namespace
}  // namespace hippocrate::server
