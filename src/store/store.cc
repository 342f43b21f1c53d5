#include "store/store.h"

#include <string_view>

#include "store/sqlite/sqlite_store.h"

namespace hippocrate::store {

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  std::string_view url = options.url;
  if (url.empty()) {
    return Error::invalid_argument("invalid_store_url", "no database location was given");
  }
  std::string_view path = url;
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "sqlite") {
      // Echo the scheme only when it looks like one (never anything after "://").
      const bool plain = !scheme.empty() && scheme.size() <= 16 &&
                         scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+.-") ==
                             std::string_view::npos;
      return Error::invalid_argument("unsupported_store_backend",
                                     "the database URL scheme " +
                                         (plain ? "'" + std::string(scheme) + "' " : "") +
                                         "is not supported (supported: sqlite://)");
    }
    // sqlite:///abs/path.db -> /abs/path.db ; sqlite://rel/path.db -> rel/path.db
    path = url.substr(scheme_end + 3);
  }
  HIPPO_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteStore> store,
                         sqlite::SqliteStore::open(std::string(path), options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace hippocrate::store
