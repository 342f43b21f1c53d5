// read_columns / read_columns_from / decode_rows (store/row_decode.h) over hand-made rows:
// each field type takes its getter, NULL only into an optional, the column count is
// checked, the first error stops decoding and leaves the later outputs alone.
#include "store/row_decode.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/result_matchers.h"

namespace hippocrate::store {
namespace {

Row make_row(std::vector<Value> values) {
  auto names = std::make_shared<std::vector<std::string>>();
  for (std::size_t i = 0; i < values.size(); ++i) names->push_back("c" + std::to_string(i));
  return Row(std::move(names), std::move(values));
}

struct Item {
  std::string id;
  std::int64_t at = 0;
  std::optional<std::int64_t> ended_at;
};

TEST(RowDecode, ReadsEachColumnByTheFieldType) {
  const Bytes blob{1, 2, 3};
  const Row row =
      make_row({std::string("abc"), std::int64_t{42}, 2.5, blob, std::int64_t{1}, std::int64_t{7}});
  std::string text;
  std::int64_t integer = 0;
  double real = 0;
  Bytes bytes;
  bool flag = false;
  double widened = 0;
  ASSERT_OK(read_columns(row, text, integer, real, bytes, flag, widened));
  EXPECT_EQ(text, "abc");
  EXPECT_EQ(integer, 42);
  EXPECT_EQ(real, 2.5);
  EXPECT_EQ(bytes, blob);
  EXPECT_TRUE(flag);
  EXPECT_EQ(widened, 7.0);  // an integer read as a real is widened, as Row::real does
}

TEST(RowDecode, BoolIsAnIntegerTrueWhenNotZero) {
  bool zero = true;
  bool count = false;
  ASSERT_OK(read_columns(make_row({std::int64_t{0}, std::int64_t{3}}), zero, count));
  EXPECT_FALSE(zero);
  EXPECT_TRUE(count);
  bool from_text = false;
  EXPECT_ERROR_CODE(read_columns(make_row({std::string("1")}), from_text), "column_type_mismatch");
}

TEST(RowDecode, NullGoesOnlyIntoAnOptional) {
  const Row row = make_row({nullptr, nullptr, nullptr, nullptr, nullptr});
  std::optional<std::string> text = "stale";
  std::optional<std::int64_t> integer = 1;
  std::optional<double> real = 1.0;
  std::optional<Bytes> bytes = Bytes{9};
  std::optional<bool> flag = true;
  ASSERT_OK(read_columns(row, text, integer, real, bytes, flag));
  EXPECT_FALSE(text.has_value());
  EXPECT_FALSE(integer.has_value());
  EXPECT_FALSE(real.has_value());
  EXPECT_FALSE(bytes.has_value());
  EXPECT_FALSE(flag.has_value());

  std::optional<std::string> present;
  std::optional<bool> present_flag;
  ASSERT_OK(read_columns(make_row({std::string("x"), std::int64_t{0}}), present, present_flag));
  EXPECT_EQ(present, "x");
  EXPECT_EQ(present_flag, false);

  std::string required = "kept";
  EXPECT_ERROR_CODE(read_columns(make_row({nullptr}), required), "column_type_mismatch");
  EXPECT_EQ(required, "kept");
}

TEST(RowDecode, TheColumnCountMustMatch) {
  const Row row = make_row({std::string("a"), std::int64_t{1}});
  std::string one = "untouched";
  EXPECT_ERROR_CODE(read_columns(row, one), "column_count_mismatch");
  EXPECT_EQ(one, "untouched");  // checked before anything is read
  std::int64_t two = 0, three = 0;
  EXPECT_ERROR_CODE(read_columns(row, one, two, three), "column_count_mismatch");
  EXPECT_ERROR_CODE(read_columns(row), "column_count_mismatch");
  EXPECT_OK(read_columns(make_row({})));
}

TEST(RowDecode, StopsAtTheFirstFailingColumn) {
  const Row row = make_row({std::string("a"), std::string("not a number"), std::string("c")});
  std::string first, third = "untouched";
  std::int64_t second = 5;
  EXPECT_ERROR_CODE(read_columns(row, first, second, third), "column_type_mismatch");
  EXPECT_EQ(first, "a");          // written before the failure
  EXPECT_EQ(second, 5);           // the failing output keeps its value
  EXPECT_EQ(third, "untouched");  // nothing after it is read
}

TEST(RowDecode, ReadColumnsFromReadsTheRestOfTheRow) {
  const Row row = make_row({std::string("key"), std::int64_t{10}, std::string("tail")});
  std::int64_t n = 0;
  std::string tail;
  ASSERT_OK(read_columns_from(row, 1, n, tail));
  EXPECT_EQ(n, 10);
  EXPECT_EQ(tail, "tail");
  // The outputs must reach the row's last column exactly.
  EXPECT_ERROR_CODE(read_columns_from(row, 1, n), "column_count_mismatch");
  EXPECT_ERROR_CODE(read_columns_from(row, 2, n, tail), "column_count_mismatch");
  std::string last;
  ASSERT_OK(read_columns_from(row, 2, last));
  EXPECT_EQ(last, "tail");
}

Status decode_item(const Row& row, Item& item) {
  return read_columns(row, item.id, item.at, item.ended_at);
}

TEST(RowDecode, DecodeRowsKeepsTheOrderOfTheRows) {
  const std::vector<Row> rows = {
      make_row({std::string("a"), std::int64_t{1}, nullptr}),
      make_row({std::string("b"), std::int64_t{2}, std::int64_t{3}}),
  };
  ASSERT_OK_AND_ASSIGN(auto items, decode_rows<Item>(rows, decode_item));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id, "a");
  EXPECT_EQ(items[0].at, 1);
  EXPECT_FALSE(items[0].ended_at.has_value());
  EXPECT_EQ(items[1].id, "b");
  EXPECT_EQ(items[1].at, 2);
  EXPECT_EQ(items[1].ended_at, 3);

  ASSERT_OK_AND_ASSIGN(auto none, decode_rows<Item>(std::vector<Row>{}, decode_item));
  EXPECT_TRUE(none.empty());
}

TEST(RowDecode, DecodeRowsReturnsTheFirstError) {
  const std::vector<Row> rows = {
      make_row({std::string("a"), std::int64_t{1}, nullptr}),
      make_row({std::string("b"), std::string("bad"), nullptr}),
      make_row({std::string("c")}),
  };
  int calls = 0;
  auto decoded = decode_rows<Item>(rows, [&](const Row& row, Item& item) {
    ++calls;
    return decode_item(row, item);
  });
  EXPECT_ERROR_CODE(decoded, "column_type_mismatch");
  EXPECT_EQ(calls, 2);  // the third row is never decoded
}

}  // namespace
}  // namespace hippocrate::store
