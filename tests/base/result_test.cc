#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace hippocrate {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error::invalid_argument("not_positive", "value must be positive");
  return v;
}

Result<int> doubled(int v) {
  HIPPO_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return x * 2;
}

Status check(int v) {
  HIPPO_RETURN_IF_ERROR(parse_positive(v));
  return ok_status();
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().code(), "not_positive");
  EXPECT_EQ(bad.error().to_string(), "not_positive: value must be positive");
}

TEST(Result, MacrosPropagate) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_EQ(doubled(0).error().code(), "not_positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_EQ(check(0).error().code(), "not_positive");
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Error, KindNamesAreStable) {
  EXPECT_EQ(error_kind_name(ErrorKind::kUnauthenticated), "unauthenticated");
  EXPECT_EQ(error_kind_name(ErrorKind::kPermissionDenied), "permission_denied");
  EXPECT_EQ(error_kind_name(ErrorKind::kResourceExhausted), "resource_exhausted");
}

}  // namespace
}  // namespace hippocrate
