#include "command-service/account_table.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace bank::command {
namespace {

TEST(AccountTableTest, FindsWhatWasAddedAndNothingElse) {
  AccountTable table;
  table.FindOrAdd("a-1") = {5, 1};
  table.FindOrAdd("a-10") = {7, 2};
  ASSERT_NE(table.Find("a-1"), nullptr);
  EXPECT_EQ(table.Find("a-1")->balance, 5);
  EXPECT_EQ(table.Find("a-10")->version, 2u);
  EXPECT_EQ(table.Find("a-"), nullptr);
  EXPECT_EQ(table.Find("a-100"), nullptr);
  EXPECT_EQ(table.size(), 2u);
}

TEST(AccountTableTest, FindOrAddReturnsTheExistingState) {
  AccountTable table;
  table.FindOrAdd("same") = {5, 1};
  EXPECT_EQ(table.FindOrAdd("same").balance, 5);
  EXPECT_EQ(table.size(), 1u);
}

TEST(AccountTableTest, StatesSurviveGrowthAndMove) {
  AccountTable table;
  AccountState& first = table.FindOrAdd(std::string(64, 'x'));
  first = {1, 1};
  // Enough ids to fill several arena chunks and rehash many times.
  for (int i = 0; i < 200000; ++i) {
    table.FindOrAdd("acct-" + std::to_string(i) + std::string(i % 50, 'p')) = {i + 2, 1};
  }
  EXPECT_EQ(&table.FindOrAdd(std::string(64, 'x')), &first);
  AccountTable moved = std::move(table);
  EXPECT_EQ(moved.Find(std::string(64, 'x')), &first);
  for (int i = 0; i < 200000; i += 997) {
    const AccountState* found = moved.Find("acct-" + std::to_string(i) + std::string(i % 50, 'p'));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(found->balance, i + 2);
  }
  EXPECT_EQ(moved.size(), 200001u);
}

}  // namespace
}  // namespace bank::command
