#include "command-service/command_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bank::command {
namespace {

TEST(CommandIndexTest, AnInsertedIdIsACandidateAtItsLocation) {
  CommandIndex index(/*retention=*/100);
  EXPECT_TRUE(index.Insert("c-1", {1, 50}));
  EXPECT_TRUE(index.Insert("c-10", {2, 70}));
  ASSERT_TRUE(index.FindCandidate("c-1").has_value());
  EXPECT_EQ(index.FindCandidate("c-1")->position, 1u);
  EXPECT_EQ(index.FindCandidate("c-10")->balance_after, 70);
  EXPECT_FALSE(index.FindCandidate("c-100").has_value());
  EXPECT_FALSE(index.FindWhole("c-1").has_value());
  EXPECT_EQ(index.size(), 2u);
}

TEST(CommandIndexTest, AnIdWhoseFingerprintIsTakenIsKeptWholeAndReportedAsAClash) {
  // The same id twice is what a fingerprint clash looks like from inside:
  // the second is kept whole, and ForEachClash lets the caller tell the two
  // cases apart by reading the holder's event.
  CommandIndex index(/*retention=*/100);
  EXPECT_TRUE(index.Insert("twice", {1, 5}));
  EXPECT_TRUE(index.Insert("twice", {2, 9}));
  EXPECT_EQ(index.FindWhole("twice")->position, 2u);
  EXPECT_EQ(index.FindCandidate("twice")->position, 1u);
  EXPECT_FALSE(index.Insert("twice", {3, 9})) << "a third copy is certainly a duplicate";
  std::vector<std::string> clashes;
  index.ForEachClash([&](absl::string_view id, CommandLocation whole, CommandLocation holder) {
    clashes.push_back(std::string(id) + "@" + std::to_string(whole.position) + "/" +
                      std::to_string(holder.position));
  });
  EXPECT_EQ(clashes, std::vector<std::string>{"twice@2/1"});
}

TEST(CommandIndexTest, KeepsTheRetentionWindowAndAtMostTwiceItInMemory) {
  constexpr uint64_t kRetention = 1000;
  CommandIndex index(kRetention);
  for (uint64_t position = 1; position <= 10 * kRetention; ++position) {
    // One command in three carries no id and takes a position all the same.
    if (position % 3 == 0) continue;
    ASSERT_TRUE(index.Insert("cmd-" + std::to_string(position), {position, 0}));
    ASSERT_LT(index.size(), 2 * kRetention);
  }
  const uint64_t newest = 10 * kRetention;
  for (uint64_t position = newest - kRetention + 1; position <= newest; ++position) {
    if (position % 3 == 0) continue;
    EXPECT_TRUE(index.FindCandidate("cmd-" + std::to_string(position)).has_value()) << position;
  }
  EXPECT_FALSE(index.FindCandidate("cmd-1").has_value()) << "the oldest are forgotten";
}

}  // namespace
}  // namespace bank::command
