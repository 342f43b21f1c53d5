#include "store_test_support.h"

#include "base/ids.h"

namespace hippocrate::store::test_support {

TempDir::TempDir()
    : path_(std::filesystem::temp_directory_path() / ("hippocrate-store-test-" + random_id())) {
  std::filesystem::create_directory(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<StoreBackend> store_backends() {
  std::vector<StoreBackend> backends;
  backends.push_back({"sqlite", [](const std::filesystem::path& dir) {
                        StoreOptions options;
                        options.url = "sqlite://" + (dir / "hippocrate.db").string();
                        return options;
                      }});
  // A "postgres" entry joins here with libpq, enabled by an environment variable naming
  // a test server.
  return backends;
}

std::int64_t count_rows(Store& store, std::string_view table) {
  auto n = store.read([&](Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM " + std::string(table)));
    return row->int64(0);
  });
  EXPECT_TRUE(n.ok()) << n.error().to_string();
  return n.ok() ? *n : -1;
}

}  // namespace hippocrate::store::test_support
