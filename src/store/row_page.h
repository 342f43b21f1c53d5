// One page of a query's rows, with whether more follow: run the query with
// LIMIT page_query_limit(limit) (one row past the page), then decode_page. Callers page by
// key (`WHERE seq > ?`) or consume what they read, so the extra row is only a signal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "store/value.h"

namespace hippocrate::store {

inline std::int64_t page_query_limit(std::size_t limit) {
  return static_cast<std::int64_t>(limit) + 1;
}

// Appends at most `limit` items decoded from `rows` (`decode`: Result<T>(const Row&)) to
// `out`; returns whether rows were left over (more follow). The first decoding error is
// returned as is.
template <class T, class Decode>
Result<bool> decode_page(const std::vector<Row>& rows, std::size_t limit, std::vector<T>& out,
                         Decode decode) {
  for (const auto& row : rows) {
    if (out.size() == limit) return true;
    HIPPO_ASSIGN_OR_RETURN(T item, decode(row));
    out.push_back(std::move(item));
  }
  return false;
}

}  // namespace hippocrate::store
