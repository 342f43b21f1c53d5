#include "store/value.h"

#include <utility>

namespace hippocrate::store {
namespace {

Error type_mismatch(std::size_t i, const Value& v, std::string_view wanted) {
  return Error::internal("column_type_mismatch", "column " + std::to_string(i) + " is " +
                                                     std::string(value_type_name(v)) + ", not " +
                                                     std::string(wanted));
}

// Reads column `i` as T, or NULL as nullopt when `nullable`.
template <typename T>
Result<std::optional<T>> get(const Row& row, std::size_t i, bool nullable,
                             std::string_view wanted) {
  if (i >= row.size()) {
    return Error::internal("column_out_of_range", "column " + std::to_string(i) +
                                                      " does not exist (the row has " +
                                                      std::to_string(row.size()) + " columns)");
  }
  const Value& v = row.value(i);
  if (nullable && std::holds_alternative<std::nullptr_t>(v)) return std::optional<T>();
  if (const T* p = std::get_if<T>(&v)) return std::optional<T>(*p);
  if constexpr (std::is_same_v<T, double>) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      return std::optional<double>(static_cast<double>(*n));
    }
  }
  return type_mismatch(i, v, wanted);
}

template <typename T>
Result<T> get_required(const Row& row, std::size_t i, std::string_view wanted) {
  HIPPO_ASSIGN_OR_RETURN(std::optional<T> v, get<T>(row, i, false, wanted));
  return std::move(*v);
}

}  // namespace

Status validate_text(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c == 0) {
      return Error::invalid_argument("text_contains_nul", "text cannot contain NUL characters");
    }
    if (c < 0x80) {
      ++p;
      continue;
    }
    // RFC 3629 §4: the well-formed multi-byte sequences (no overlongs, no surrogates,
    // nothing above U+10FFFF).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3;
      hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4;
      hi = 0x8F;
    }
    bool ok = len != 0 && static_cast<std::size_t>(end - p) >= len && p[1] >= lo && p[1] <= hi;
    for (std::size_t k = 2; ok && k < len; ++k) ok = p[k] >= 0x80 && p[k] <= 0xBF;
    if (!ok) return Error::invalid_argument("text_not_utf8", "text must be valid UTF-8");
    p += len;
  }
  return ok_status();
}

std::string_view value_type_name(const Value& value) {
  switch (value.index()) {
    case 0: return "null";
    case 1: return "integer";
    case 2: return "real";
    case 3: return "text";
    default: return "blob";
  }
}

Row::Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
    : columns_(std::move(columns)), values_(std::move(values)) {}

bool Row::is_null(std::size_t i) const {
  return i < values_.size() && std::holds_alternative<std::nullptr_t>(values_[i]);
}

Result<std::int64_t> Row::int64(std::size_t i) const {
  return get_required<std::int64_t>(*this, i, "an integer");
}
Result<double> Row::real(std::size_t i) const {
  return get_required<double>(*this, i, "a real number");
}
Result<std::string> Row::text(std::size_t i) const {
  return get_required<std::string>(*this, i, "text");
}
Result<Bytes> Row::blob(std::size_t i) const { return get_required<Bytes>(*this, i, "a blob"); }

Result<std::optional<std::int64_t>> Row::optional_int64(std::size_t i) const {
  return get<std::int64_t>(*this, i, true, "an integer or null");
}
Result<std::optional<double>> Row::optional_real(std::size_t i) const {
  return get<double>(*this, i, true, "a real number or null");
}
Result<std::optional<std::string>> Row::optional_text(std::size_t i) const {
  return get<std::string>(*this, i, true, "text or null");
}
Result<std::optional<Bytes>> Row::optional_blob(std::size_t i) const {
  return get<Bytes>(*this, i, true, "a blob or null");
}

}  // namespace hippocrate::store
