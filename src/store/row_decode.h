// Reading result rows into structs: a row's columns into fields, in SELECT order, each with
// the Row getter its field's type names; a query's rows into a vector of structs.
//
//   HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT id, identity, revoked_at FROM devices "
//                                              "WHERE account_id = ?", {account_id}));
//   return store::decode_rows<DeviceInfo>(rows, [](const store::Row& row, DeviceInfo& d) {
//     return store::read_columns(row, d.device_id, d.identity, d.revoked_at);
//   });
//
// The column count is checked too: a SELECT that gains or loses a column without its
// decoder following fails ("column_count_mismatch") instead of shifting fields.
// Errors are the Row getters' (kind internal: a decoder that disagrees with its query is a
// bug) and are returned as is.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "store/value.h"

namespace hippocrate::store {

// Column `i` of `row` into `out`, by the type of `out`:
//   std::string   Row::text          std::int64_t  Row::int64
//   double        Row::real          Bytes         Row::blob
//   bool          an integer, true when not 0 (booleans are stored as 0/1; a COUNT reads
//                 as "any")
//   std::optional of each: the optional_* getter (NULL gives std::nullopt).
// On error `out` is left as it was.
Status read_column(const Row& row, std::size_t i, std::string& out);
Status read_column(const Row& row, std::size_t i, std::int64_t& out);
Status read_column(const Row& row, std::size_t i, double& out);
Status read_column(const Row& row, std::size_t i, Bytes& out);
Status read_column(const Row& row, std::size_t i, bool& out);
Status read_column(const Row& row, std::size_t i, std::optional<std::string>& out);
Status read_column(const Row& row, std::size_t i, std::optional<std::int64_t>& out);
Status read_column(const Row& row, std::size_t i, std::optional<double>& out);
Status read_column(const Row& row, std::size_t i, std::optional<Bytes>& out);
Status read_column(const Row& row, std::size_t i, std::optional<bool>& out);

// "column_count_mismatch" unless `row` has exactly `columns` columns.
Status expect_column_count(const Row& row, std::size_t columns);

// The rest of `row` from column `first`: column first + k into the k-th of `out...`, and
// the row must end there (exactly first + sizeof...(out) columns). Stops at the first
// column that fails and returns its error: the outputs before it are written, the others
// left as they were. `first` lets a caller read a key column, decide, then read the rest.
template <class... Out>
Status read_columns_from(const Row& row, std::size_t first, Out&... out) {
  HIPPO_RETURN_IF_ERROR(expect_column_count(row, first + sizeof...(out)));
  Status status;
  std::size_t i = first;
  // A fold over && evaluates left to right and stops at the first false.
  (void)(((status = read_column(row, i++, out)).ok()) && ...);
  return status;
}

// Every column of `row`, in order, into `out...` (as read_columns_from(row, 0, out...)).
template <class... Out>
Status read_columns(const Row& row, Out&... out) {
  return read_columns_from(row, 0, out...);
}

// Each of `rows`, in order, decoded by `decode(row, item)` (returning Status) into a
// value-initialised T. The first error is returned as is, and nothing else.
template <class T, class Decode>
Result<std::vector<T>> decode_rows(const std::vector<Row>& rows, Decode&& decode) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    T item{};
    HIPPO_RETURN_IF_ERROR(decode(row, item));
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace hippocrate::store
