// Reads the known-answer files under tests/vectors/.
//
// Format (line based, UTF-8):
//   # comment                 ignored, as are blank lines
//   [case-name]               starts a case
//   field = value             a field of the current case (value may be empty)
//       more                  an indented line continues the previous field's value
// Whitespace inside values is dropped, so hex can be laid out in columns as in the RFCs.
// Malformed files throw std::runtime_error, which gtest reports as a failure.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto::testing {

struct VectorCase {
  std::string name;
  std::map<std::string, std::string> fields;

  bool has(const std::string& field) const { return fields.count(field) != 0; }
  const std::string& text(const std::string& field) const;
  Bytes hex(const std::string& field) const;
  SecretBytes secret(const std::string& field) const;  // a hex field, as SecretBytes
  std::size_t number(const std::string& field) const;  // a decimal field
};

// Loads tests/vectors/<file_name>.
std::vector<VectorCase> load_vectors(std::string_view file_name);

}  // namespace hippocrate::crypto::testing
