// Values bound to SQL parameters and read back from result rows.
//
// The set of types is deliberately small and maps onto both backends:
//   nullptr_t    SQL NULL
//   int64_t      INTEGER / BIGINT   (booleans are stored as 0/1)
//   double       REAL / DOUBLE PRECISION
//   std::string  TEXT               (UTF-8, no NUL characters: PostgreSQL rejects them)
//   Bytes        BLOB / BYTEA
//
// Row is a materialised result row: it owns its values, so it stays valid after the
// transaction that produced it has ended. Getters check the column index and the type
// and return an Error (kind internal: reading the wrong column is a bug) instead of
// converting silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::store {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Bytes>;
using Params = std::vector<Value>;

// "null", "integer", "real", "text" or "blob": for error messages and tests.
std::string_view value_type_name(const Value& value);

// Checks that a text parameter is valid UTF-8 without NUL characters (what PostgreSQL
// accepts), so both backends refuse the same values. Errors (invalid_argument):
// "text_contains_nul", "text_not_utf8".
Status validate_text(std::string_view text);

class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values);

  std::size_t size() const { return values_.size(); }
  // Precondition: i < size().
  const Value& value(std::size_t i) const { return values_[i]; }
  const std::vector<Value>& values() const { return values_; }
  // The column's name as the query spelled it (or its alias). Precondition: i < size().
  const std::string& column_name(std::size_t i) const { return (*columns_)[i]; }

  // Errors: "column_out_of_range" when i >= size(); "column_type_mismatch" when the
  // stored type differs (NULL included: use the optional_* getters for nullable columns).
  bool is_null(std::size_t i) const;
  Result<std::int64_t> int64(std::size_t i) const;
  // Also accepts an integer value (widened): SQLite may store a whole REAL as INTEGER.
  Result<double> real(std::size_t i) const;
  Result<std::string> text(std::size_t i) const;
  Result<Bytes> blob(std::size_t i) const;

  // As above, but NULL yields std::nullopt instead of an error.
  Result<std::optional<std::int64_t>> optional_int64(std::size_t i) const;
  Result<std::optional<double>> optional_real(std::size_t i) const;
  Result<std::optional<std::string>> optional_text(std::size_t i) const;
  Result<std::optional<Bytes>> optional_blob(std::size_t i) const;

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Value> values_;
};

}  // namespace hippocrate::store
