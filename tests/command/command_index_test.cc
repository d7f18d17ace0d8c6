#include "command-service/command_index.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace bank::command {
namespace {

const std::string kAccount = "acc1";

RecordedCommand Recorded(int64_t amount, uint64_t position) {
  return RecordedCommand{&kAccount, CommandKind::kDeposit, amount, 1, amount, position};
}

TEST(CommandIndexTest, FindsWhatWasInsertedAndNothingElse) {
  CommandIndex index;
  EXPECT_TRUE(index.Insert("c-1", Recorded(5, 1)));
  EXPECT_TRUE(index.Insert("c-10", Recorded(7, 2)));
  ASSERT_NE(index.Find("c-1"), nullptr);
  EXPECT_EQ(index.Find("c-1")->amount, 5);
  EXPECT_EQ(index.Find("c-10")->position, 2u);
  EXPECT_EQ(index.Find("c-"), nullptr);
  EXPECT_EQ(index.Find("c-100"), nullptr);
  EXPECT_EQ(index.size(), 2u);
}

TEST(CommandIndexTest, ADuplicateIdChangesNothing) {
  CommandIndex index;
  EXPECT_TRUE(index.Insert("same", Recorded(5, 1)));
  EXPECT_FALSE(index.Insert("same", Recorded(9, 2)));
  EXPECT_EQ(index.Find("same")->amount, 5);
  EXPECT_EQ(index.size(), 1u);
}

TEST(CommandIndexTest, EraseForgetsAnIdWhichCanThenBeUsedAgain) {
  CommandIndex index;
  index.Insert("gone", Recorded(5, 0));
  index.Erase("gone");
  EXPECT_EQ(index.Find("gone"), nullptr);
  EXPECT_TRUE(index.Insert("gone", Recorded(6, 3)));
  EXPECT_EQ(index.Find("gone")->amount, 6);
}

TEST(CommandIndexTest, PointersAndContentsSurviveGrowthAndMove) {
  CommandIndex index;
  index.Insert(std::string(128, 'x'), Recorded(1, 1));
  RecordedCommand* first = index.Find(std::string(128, 'x'));
  // Enough ids to fill several arena chunks and rehash many times.
  for (int i = 0; i < 200000; ++i) {
    ASSERT_TRUE(index.Insert("cmd-" + std::to_string(i) + std::string(i % 100, 'p'),
                             Recorded(i + 2, i + 2)));
  }
  EXPECT_EQ(index.Find(std::string(128, 'x')), first);
  CommandIndex moved = std::move(index);
  EXPECT_EQ(moved.Find(std::string(128, 'x')), first);
  for (int i = 0; i < 200000; i += 997) {
    RecordedCommand* found = moved.Find("cmd-" + std::to_string(i) + std::string(i % 100, 'p'));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(found->amount, i + 2);
  }
  EXPECT_EQ(moved.size(), 200001u);
}

}  // namespace
}  // namespace bank::command
