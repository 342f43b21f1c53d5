#include "store/row_decode.h"

namespace hippocrate::store {
namespace {

// Moves a getter's value into `out`, or returns its error with `out` untouched.
template <class T>
Status assign(Result<T> value, T& out) {
  if (!value.ok()) return std::move(value).error();
  out = std::move(value).value();
  return ok_status();
}

Result<bool> as_bool(Result<std::int64_t> n) {
  if (!n.ok()) return std::move(n).error();
  return *n != 0;
}

Result<std::optional<bool>> as_bool(Result<std::optional<std::int64_t>> n) {
  if (!n.ok()) return std::move(n).error();
  if (!n->has_value()) return std::optional<bool>();
  return std::optional<bool>(**n != 0);
}

}  // namespace

Status read_column(const Row& row, std::size_t i, std::string& out) {
  return assign(row.text(i), out);
}
Status read_column(const Row& row, std::size_t i, std::int64_t& out) {
  return assign(row.int64(i), out);
}
Status read_column(const Row& row, std::size_t i, double& out) { return assign(row.real(i), out); }
Status read_column(const Row& row, std::size_t i, Bytes& out) { return assign(row.blob(i), out); }
Status read_column(const Row& row, std::size_t i, bool& out) {
  return assign(as_bool(row.int64(i)), out);
}
Status read_column(const Row& row, std::size_t i, std::optional<std::string>& out) {
  return assign(row.optional_text(i), out);
}
Status read_column(const Row& row, std::size_t i, std::optional<std::int64_t>& out) {
  return assign(row.optional_int64(i), out);
}
Status read_column(const Row& row, std::size_t i, std::optional<double>& out) {
  return assign(row.optional_real(i), out);
}
Status read_column(const Row& row, std::size_t i, std::optional<Bytes>& out) {
  return assign(row.optional_blob(i), out);
}
Status read_column(const Row& row, std::size_t i, std::optional<bool>& out) {
  return assign(as_bool(row.optional_int64(i)), out);
}

Status expect_column_count(const Row& row, std::size_t columns) {
  if (row.size() == columns) return ok_status();
  return Error::internal("column_count_mismatch", "the row has " + std::to_string(row.size()) +
                                                      " columns, not " + std::to_string(columns));
}

}  // namespace hippocrate::store
