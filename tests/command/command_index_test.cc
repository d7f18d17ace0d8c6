#include "command-service/command_index.h"

#include <gtest/gtest.h>

#include <string>

namespace bank::command {
namespace {

// Snapshots keep fingerprints: they must not change between processes or
// releases (a new function would need a new snapshot format version).
TEST(CommandIndexTest, FingerprintsAreTheSameInEveryProcess) {
  EXPECT_EQ(CommandIndex::Fingerprint(""), 0xefd01f60ba992926u);
  EXPECT_EQ(CommandIndex::Fingerprint("order-42"), 0x8e47543c313c6386u);
}

TEST(CommandIndexTest, AnInsertedIdIsACandidateAtItsLocation) {
  CommandIndex index(/*retention=*/100);
  index.Insert("c-1", {1, 50});
  index.Insert("c-10", {2, 70});
  ASSERT_TRUE(index.FindCandidate("c-1").has_value());
  EXPECT_EQ(index.FindCandidate("c-1")->position, 1u);
  EXPECT_EQ(index.FindCandidate("c-10")->balance_after, 70);
  EXPECT_FALSE(index.FindCandidate("c-100").has_value());
  EXPECT_FALSE(index.FindWhole("c-1").has_value());
  EXPECT_EQ(index.size(), 2u);
}

TEST(CommandIndexTest, AnIdWhoseFingerprintIsTakenIsKeptWhole) {
  CommandIndex index(/*retention=*/100);
  const uint64_t fingerprint = CommandIndex::Fingerprint("holder");
  EXPECT_FALSE(index.InsertFingerprint(fingerprint, {1, 5}).has_value());
  // Another id with the same fingerprint, as start-up would see it.
  std::optional<CommandLocation> holder = index.InsertFingerprint(fingerprint, {2, 9});
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->position, 1u);
  EXPECT_TRUE(index.InsertWhole("clasher", {2, 9}));
  EXPECT_FALSE(index.InsertWhole("clasher", {3, 9})) << "kept whole already";
  EXPECT_EQ(index.FindWhole("clasher")->position, 2u);
  EXPECT_EQ(index.FindCandidate("holder")->position, 1u);
  EXPECT_EQ(index.size(), 2u);
}

TEST(CommandIndexTest, KeepsTheRetentionWindowAndAtMostTwiceItInMemory) {
  constexpr uint64_t kRetention = 1000;
  CommandIndex index(kRetention);
  for (uint64_t position = 1; position <= 10 * kRetention; ++position) {
    // One command in three carries no id and takes a position all the same.
    if (position % 3 == 0) continue;
    index.Insert("cmd-" + std::to_string(position), {position, 0});
    ASSERT_LT(index.size(), 2 * kRetention);
  }
  const uint64_t newest = 10 * kRetention;
  for (uint64_t position = newest - kRetention + 1; position <= newest; ++position) {
    if (position % 3 == 0) continue;
    EXPECT_TRUE(index.FindCandidate("cmd-" + std::to_string(position)).has_value()) << position;
  }
  EXPECT_FALSE(index.FindCandidate("cmd-1").has_value()) << "the oldest are forgotten";
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
    EXPECT_TRUE(index.FindCandidate("t-" + std::to_string(command)).has_value()) << command;
  }
}

}  // namespace
}  // namespace bank::command
