#include "http/headers.h"

#include <algorithm>
#include <cctype>

namespace hippocrate::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void Headers::add(std::string_view name, std::string value) {
  entries_.emplace_back(lower(name), std::move(value));
}

void Headers::set(std::string_view name, std::string value) {
  const std::string key = lower(name);
  std::erase_if(entries_, [&](const auto& e) { return e.first == key; });
  entries_.emplace_back(key, std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : entries_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace hippocrate::http
