// gtest helpers for Result<T>/Status: ASSERT_OK, EXPECT_OK, ASSERT_OK_AND_ASSIGN,
// EXPECT_ERROR_CODE (a failure with a given stable error code). Shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#define HIPPO_TEST_CONCAT_INNER_(a, b) a##b
#define HIPPO_TEST_CONCAT_(a, b) HIPPO_TEST_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const auto& hippo_r_ = (expr);                              \
    ASSERT_TRUE(hippo_r_.ok()) << hippo_r_.error().to_string(); \
  } while (0)

#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const auto& hippo_r_ = (expr);                              \
    EXPECT_TRUE(hippo_r_.ok()) << hippo_r_.error().to_string(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(HIPPO_TEST_CONCAT_(hippo_r_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.error().to_string(); \
  lhs = std::move(tmp).value()

// Expects `expr` (a Result) to fail with the given stable error code.
#define EXPECT_ERROR_CODE(expr, code_)                                           \
  do {                                                                           \
    const auto& hippo_r_ = (expr);                                               \
    EXPECT_FALSE(hippo_r_.ok());                                                 \
    if (!hippo_r_.ok()) {                                                        \
      EXPECT_EQ(hippo_r_.error().code(), code_) << hippo_r_.error().to_string(); \
    }                                                                            \
  } while (0)
