#include "vector_file.h"

#include <cctype>
#include <fstream>
#include <stdexcept>

namespace hippocrate::crypto::testing {
namespace {

std::string strip_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

const std::string& VectorCase::text(const std::string& field) const {
  auto it = fields.find(field);
  if (it == fields.end()) fail(name + ": missing field '" + field + "'");
  return it->second;
}

Bytes VectorCase::hex(const std::string& field) const {
  const std::string& value = text(field);
  // base/'s hex_decode("") hands a null pointer to libsodium (UBSan flags it); sidestep it.
  if (value.empty()) return {};
  auto decoded = hex_decode(value);
  if (!decoded) fail(name + ": field '" + field + "' is not hex");
  return std::move(decoded).value();
}

SecretBytes VectorCase::secret(const std::string& field) const {
  return SecretBytes::from(hex(field));
}

std::size_t VectorCase::number(const std::string& field) const {
  const std::string& value = text(field);
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
    fail(name + ": field '" + field + "' is not a decimal number");
  }
  return static_cast<std::size_t>(std::stoull(value));
}

std::vector<VectorCase> load_vectors(std::string_view file_name) {
  const std::string path = std::string(HIPPOCRATE_TEST_DATA) + "/vectors/" + std::string(file_name);
  std::ifstream in(path);
  if (!in) fail("cannot open " + path);
  std::vector<VectorCase> cases;
  std::string line;
  std::string last_field;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no);
    if (strip_spaces(line).empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close == std::string::npos) fail(where + ": unterminated case name");
      cases.push_back({line.substr(1, close - 1), {}});
      last_field.clear();
      continue;
    }
    if (cases.empty()) fail(where + ": field outside a case");
    if (std::isspace(static_cast<unsigned char>(line[0]))) {
      if (last_field.empty()) fail(where + ": continuation without a field");
      cases.back().fields[last_field] += strip_spaces(line);
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) fail(where + ": expected 'field = value'");
    const std::string field = strip_spaces(line.substr(0, eq));
    if (field.empty() || cases.back().has(field)) fail(where + ": empty or repeated field");
    cases.back().fields[field] = strip_spaces(line.substr(eq + 1));
    last_field = field;
  }
  if (cases.empty()) fail(path + ": no cases");
  return cases;
}

}  // namespace hippocrate::crypto::testing
