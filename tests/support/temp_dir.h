// A fresh folder under the system temp dir, removed with its contents at destruction.
#pragma once

#include <filesystem>

#include "base/ids.h"

namespace hippocrate::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("hippocrate-test-" + random_id())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hippocrate::testing
