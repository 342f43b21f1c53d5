// Shared helpers for the store tests: per-test temporary directories, the list of
// backends the parameterised suite runs against, and Result assertions.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace hippocrate::store::test_support {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One backend the shared suite runs against. `fresh_options` returns options naming a
// new, empty database private to the test; `dir` is the test's temp directory (a
// PostgreSQL backend would create a throw-away database instead and ignore it).
struct StoreBackend {
  std::string name;
  std::function<StoreOptions(const std::filesystem::path& dir)> fresh_options;
};

// gtest prints the parameter by name.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

// SQLite always; further backends when their test server is configured.
std::vector<StoreBackend> store_backends();

// COUNT(*) of a table (the name is test code, never input).
std::int64_t count_rows(Store& store, std::string_view table);

}  // namespace hippocrate::store::test_support

#define HIPPO_TEST_CONCAT_INNER_(a, b) a##b
#define HIPPO_TEST_CONCAT_(a, b) HIPPO_TEST_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const auto& hippo_r_ = (expr);                              \
    ASSERT_TRUE(hippo_r_.ok()) << hippo_r_.error().to_string(); \
  } while (0)

#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const auto& hippo_r_ = (expr);                              \
    EXPECT_TRUE(hippo_r_.ok()) << hippo_r_.error().to_string(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(HIPPO_TEST_CONCAT_(hippo_r_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.error().to_string(); \
  lhs = std::move(tmp).value()

// Expects `expr` (a Result) to fail with the given stable error code.
#define EXPECT_ERROR_CODE(expr, code_)                                           \
  do {                                                                           \
    const auto& hippo_r_ = (expr);                                               \
    EXPECT_FALSE(hippo_r_.ok());                                                 \
    if (!hippo_r_.ok()) {                                                        \
      EXPECT_EQ(hippo_r_.error().code(), code_) << hippo_r_.error().to_string(); \
    }                                                                            \
  } while (0)
