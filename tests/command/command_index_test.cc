#include "command-service/command_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace bank::command {
namespace {

bool Holds(const CommandIndex& index, const std::string& id) {
  return !index.Candidates(id).empty();
}

// Snapshots keep fingerprints: they must not change between processes or
// releases (a new function would need a new snapshot format version).
TEST(CommandIndexTest, FingerprintsAreTheSameInEveryProcess) {
  EXPECT_EQ(CommandIndex::Fingerprint(""), 0xefd01f60ba992926u);
  EXPECT_EQ(CommandIndex::Fingerprint("order-42"), 0x8e47543c313c6386u);
}

TEST(CommandIndexTest, AnInsertedIdIsACandidateAtItsLocation) {
  CommandIndex index(/*retention=*/100);
  index.Insert("c-1", {1, 50, 0});
  index.Insert("c-10", {2, 70, 0});
  ASSERT_EQ(index.Candidates("c-1").size(), 1u);
  EXPECT_EQ(index.Candidates("c-1")[0].position, 1u);
  EXPECT_EQ(index.Candidates("c-10")[0].balance_after, 70);
  EXPECT_TRUE(index.Candidates("c-100").empty());
  EXPECT_EQ(index.size(), 2u);
}

TEST(CommandIndexTest, LoadedCommandsAreFoundAndTwoMayShareAFingerprint) {
  CommandIndex index(/*retention=*/100);
  const uint64_t shared = CommandIndex::Fingerprint("shared");
  std::vector<FingerprintedCommand> loaded = {{CommandIndex::Fingerprint("a"), {1, 10, 0}},
                                              {shared, {2, 20, 0}},
                                              {shared, {4, 40, 0}},
                                              {CommandIndex::Fingerprint("b"), {3, 30, 5}}};
  std::sort(loaded.begin(), loaded.end(), ByFingerprint);
  index.Load(loaded);
  EXPECT_EQ(index.Candidates("a")[0].position, 1u);
  EXPECT_EQ(index.Candidates("b")[0].to_balance_after, 5);
  ASSERT_EQ(index.Candidates("shared").size(), 2u) << "the caller reads both to tell them apart";
  EXPECT_EQ(index.Candidates("shared")[0].position, 2u);
  EXPECT_EQ(index.Candidates("shared")[1].position, 4u);
  EXPECT_TRUE(index.Candidates("c").empty());
}

TEST(CommandIndexTest, AnIdInsertedOnATakenFingerprintIsKeptWhole) {
  CommandIndex index(/*retention=*/100);
  index.Load({{CommandIndex::Fingerprint("clasher"), {1, 5, 0}}});
  // Another id with the same fingerprint (as if), accepted later.
  index.Insert("clasher", {7, 9, 0});
  index.Insert("other", {8, 9, 0});
  index.Insert("other", {9, 9, 0});  // its fingerprint is now held too
  const auto clasher = index.Candidates("clasher");
  ASSERT_EQ(clasher.size(), 2u);
  EXPECT_EQ(clasher[0].position, 7u) << "the whole id, a certain match, first";
  EXPECT_EQ(clasher[1].position, 1u);
  EXPECT_EQ(index.Candidates("other").size(), 2u);
  EXPECT_EQ(index.size(), 4u);
}

TEST(CommandIndexTest, KeepsTheRetentionWindowAndAtMostTwiceItInMemory) {
  constexpr uint64_t kRetention = 1000;
  CommandIndex index(kRetention);
  for (uint64_t position = 1; position <= 10 * kRetention; ++position) {
    // One command in three carries no id and takes a position all the same.
    if (position % 3 == 0) continue;
    index.Insert("cmd-" + std::to_string(position), {position, 0, 0});
    ASSERT_LT(index.size(), 2 * kRetention);
  }
  const uint64_t newest = 10 * kRetention;
  for (uint64_t position = newest - kRetention + 1; position <= newest; ++position) {
    if (position % 3 == 0) continue;
    EXPECT_TRUE(Holds(index, "cmd-" + std::to_string(position))) << position;
  }
  EXPECT_FALSE(Holds(index, "cmd-1")) << "the oldest are forgotten";
}

TEST(CommandIndexTest, AMovedIndexFindsWhatItHeldAndTakesMore) {
  CommandIndex index(10);
  for (uint64_t position = 1; position <= 25; ++position) {
    index.Insert("cmd-" + std::to_string(position),
                 {position, 100 + static_cast<int64_t>(position), 0});
  }
  CommandIndex moved = std::move(index);
  moved.Insert("cmd-26", {26, 126, 0});
  for (uint64_t position = 17; position <= 26; ++position) {
    const auto candidates = moved.Candidates("cmd-" + std::to_string(position));
    ASSERT_EQ(candidates.size(), 1u) << position;
    EXPECT_EQ(candidates[0].position, position);
    EXPECT_EQ(candidates[0].balance_after, 100 + static_cast<int64_t>(position));
  }
}

TEST(CommandIndexTest, RetentionCountsCommandsNotPositions) {
  constexpr uint64_t kRetention = 1000;
  CommandIndex index(kRetention);
  // Every command a transfer: two positions each.
  for (uint64_t command = 1; command <= 10 * kRetention; ++command) {
    index.Insert("t-" + std::to_string(command), {2 * command, 0, 0});
    ASSERT_LT(index.size(), 2 * kRetention);
  }
  for (uint64_t command = 9 * kRetention + 1; command <= 10 * kRetention; ++command) {
    EXPECT_TRUE(Holds(index, "t-" + std::to_string(command))) << command;
  }
}

TEST(CommandIndexTest, TheLoadedCommandsAgeOutLikeTheInsertedOnes) {
  constexpr uint64_t kRetention = 100;
  CommandIndex index(kRetention);
  std::vector<FingerprintedCommand> loaded;
  for (uint64_t position = 1; position <= kRetention; ++position) {
    loaded.push_back(
        {CommandIndex::Fingerprint("old-" + std::to_string(position)), {position, 0, 0}});
  }
  std::sort(loaded.begin(), loaded.end(), ByFingerprint);
  index.Load(std::move(loaded));
  for (uint64_t position = kRetention + 1; position <= 2 * kRetention; ++position) {
    index.Insert("new-" + std::to_string(position), {position, 0, 0});
    ASSERT_LT(index.size(), 2 * kRetention);
  }
  EXPECT_FALSE(Holds(index, "old-1"));
  EXPECT_TRUE(Holds(index, "new-" + std::to_string(kRetention + 1)));
}

}  // namespace
}  // namespace bank::command
