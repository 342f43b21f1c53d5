// Small helpers shared by the crypto tests.
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::crypto::testing {

inline std::string hex(std::span<const std::uint8_t> bytes) { return hex_encode(bytes); }

// Asserts that `result` failed with the stable error code `code`.
template <typename R>
::testing::AssertionResult fails_with(const R& result, const std::string& code) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded; expected " << code;
  if (result.error().code() != code) {
    return ::testing::AssertionFailure()
           << "failed with " << result.error().to_string() << "; expected " << code;
  }
  return ::testing::AssertionSuccess();
}

// Asserts success and shows the error otherwise.
template <typename R>
::testing::AssertionResult is_ok(const R& result) {
  if (result.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.error().to_string();
}

}  // namespace hippocrate::crypto::testing
