// Shared helpers for the store tests: per-test temporary directories, the list of
// backends the parameterised suite runs against, and Result assertions.
#pragma once

#include "support/result_matchers.h"

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
