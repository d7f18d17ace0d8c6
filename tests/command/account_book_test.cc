#include "command-service/account_book.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::DepositEvent;
using ::bank::testing::TransferEvents;

// A log in memory: the events a book replayed, readable back by position.
class FakeLog {
 public:
  absl::Status Replay(AccountBook& book, const bank::v1::Event& event) {
    events_[event.position()] = event;
    return book.Replay(event);
  }
  // An EventReader.
  absl::StatusOr<bank::v1::Event> operator()(uint64_t position) const {
    auto it = events_.find(position);
    if (it == events_.end()) return absl::NotFoundError("no event there");
    return it->second;
  }

 private:
  std::map<uint64_t, bank::v1::Event> events_;
};

TEST(AccountBookTest, RecordsStateAndTheOriginalReplyOfEachCommand) {
  AccountBook book;
  FakeLog log;
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 1, 10, "c1", 7)).ok());
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 2, 10, "", 8)).ok());
  ASSERT_TRUE(book.FinishReplay(log).ok());
  EXPECT_EQ(book.Get("acc1").balance, 20);
  EXPECT_EQ(book.Get("acc1").version, 2u);
  auto found = book.FindCommand("c1", log);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(ReplyOf(**found).DebugString(),
            "account_id: \"acc1\"\nversion: 1\nposition: 7\nbalance: 10\n");
  EXPECT_EQ(book.command_count(), 1u);
  EXPECT_FALSE(book.FindCommand("c2", log)->has_value());
}

TEST(AccountBookTest, CommandsRecordedLiveAreFoundToo) {
  AccountBook book;
  FakeLog log;
  ASSERT_TRUE(book.FinishReplay(log).ok());
  bank::v1::Event live = DepositEvent("acc1", 1, 10, "live", 1);
  ASSERT_TRUE(book.Apply(live).ok());
  book.RecordCommand("live", {1, 10});
  ASSERT_TRUE(log.Replay(*std::make_unique<AccountBook>(), live).ok());  // now on "disk"
  auto found = book.FindCommand("live", log);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->balance_after, 10);
}

TEST(AccountBookTest, AFingerprintMatchIsConfirmedAgainstTheLog) {
  AccountBook book;
  FakeLog log;
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 1, 10, "c1", 1)).ok());
  ASSERT_TRUE(book.FinishReplay(log).ok());
  // The event at the recorded position carries another id: as if c1's
  // fingerprint belonged to a different command.
  FakeLog other;
  ASSERT_TRUE(
      other.Replay(*std::make_unique<AccountBook>(), DepositEvent("acc1", 1, 10, "zz", 1)).ok());
  EXPECT_FALSE(book.FindCommand("c1", other)->has_value());
  EXPECT_EQ(book.FindCommand("c1",
                             [](uint64_t) -> absl::StatusOr<bank::v1::Event> {
                               return absl::DataLossError("bad sector");
                             })
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(AccountBookTest, IdsNoCommandCouldHaveCarriedAreDataLoss) {
  AccountBook book;
  EXPECT_EQ(book.Apply(DepositEvent("acc1", 1, 10, std::string(300, 'c'))).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.Apply(DepositEvent("bad id", 1, 10, "")).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.Apply(DepositEvent("acc1", 1, 10, "c/1")).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.account_count(), 0u);
}

TEST(AccountBookTest, ACommandIdOnTwoEventsIsDataLoss) {
  AccountBook book;
  FakeLog log;
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 1, 10, "c1", 1)).ok());
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc2", 1, 10, "c2", 2)).ok());
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc2", 2, 10, "c1", 3)).ok());
  absl::Status indexed = book.FinishReplay(log);
  EXPECT_EQ(indexed.code(), absl::StatusCode::kDataLoss) << indexed;
  EXPECT_NE(indexed.message().find("command id c1 appears on two events (at 1 and 3)"),
            std::string::npos)
      << indexed;
}

// A snapshot's ids and the tail's are one window: a retry of either is
// found, and one id on an event of each is damage.
TEST(AccountBookTest, ASnapshotsIdsAndTheTailsAreOneWindow) {
  FakeLog log;
  AccountBook scratch;
  ASSERT_TRUE(log.Replay(scratch, DepositEvent("acc1", 1, 10, "c1", 1)).ok());
  ASSERT_TRUE(log.Replay(scratch, DepositEvent("acc1", 2, 10, "c2", 2)).ok());
  const std::vector<FingerprintedCommand> snapshot = scratch.NotedByFingerprint();

  AccountBook book;
  ASSERT_TRUE(book.RestoreAccount("acc1", {20, 2}).ok());
  ASSERT_TRUE(book.RestoreNotedCommands(snapshot).ok());
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 3, 10, "c3", 3)).ok());
  ASSERT_TRUE(book.FinishReplay(log).ok());
  EXPECT_EQ((*book.FindCommand("c1", log))->balance_after, 10);
  EXPECT_EQ((*book.FindCommand("c3", log))->balance_after, 30);
  EXPECT_EQ(book.command_count(), 3u);

  AccountBook damaged;
  ASSERT_TRUE(damaged.RestoreAccount("acc1", {20, 2}).ok());
  ASSERT_TRUE(damaged.RestoreNotedCommands(snapshot).ok());
  ASSERT_TRUE(log.Replay(damaged, DepositEvent("acc1", 3, 10, "c1", 3)).ok());
  absl::Status indexed = damaged.FinishReplay(log);
  EXPECT_EQ(indexed.code(), absl::StatusCode::kDataLoss) << indexed;
  EXPECT_NE(indexed.message().find("command id c1 appears on two events (at 1 and 3)"),
            std::string::npos)
      << indexed;
}

// Retention counts commands, not positions: a transfer takes two positions
// and is still one command.
TEST(AccountBookTest, StartUpKeepsTheRetentionsCountOfTransfers) {
  AccountBook book(/*command_retention=*/3);
  FakeLog log;
  ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", 1, 10, "d", 1)).ok());
  for (uint64_t i = 1; i <= 5; ++i) {
    for (const bank::v1::Event& leg :
         TransferEvents("acc1", i + 1, "acc2", i, 1, "t" + std::to_string(i), 2 * i)) {
      ASSERT_TRUE(log.Replay(book, leg).ok());
    }
  }
  ASSERT_TRUE(book.FinishReplay(log).ok());
  for (const char* kept : {"t3", "t4", "t5"}) {
    auto found = book.FindCommand(kept, log);
    ASSERT_TRUE(found.ok() && found->has_value()) << kept;
    EXPECT_EQ((*found)->to_account_id, "acc2");
  }
  EXPECT_FALSE(book.FindCommand("t2", log)->has_value());
  EXPECT_EQ(book.command_count(), 3u);
}

TEST(AccountBookTest, StartUpIndexesTheRetentionWindowOnly) {
  AccountBook book(/*command_retention=*/3);
  FakeLog log;
  for (uint64_t position = 1; position <= 10; ++position) {
    // "old" again at 7: its first use at 2 is outside the window by then, so
    // reusing it was a new command, not damage.
    const std::string id = position == 2 || position == 7 ? "old" : "c" + std::to_string(position);
    ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", position, 10, id, position)).ok());
  }
  ASSERT_TRUE(book.FinishReplay(log).ok());
  EXPECT_TRUE(book.FindCommand("c10", log)->has_value());
  EXPECT_TRUE(book.FindCommand("c8", log)->has_value());
  EXPECT_FALSE(book.FindCommand("c7", log)->has_value());
  EXPECT_FALSE(book.FindCommand("c3", log)->has_value());
  EXPECT_EQ(book.command_count(), 3u);
}

// The snapshot writer's path: a restored window and replayed ids over the
// retention, taken, are the window a copy gives; the book keeps its accounts.
TEST(AccountBookTest, TakenNotesAreTheCopiedWindowAndLeaveTheBookNone) {
  FakeLog log;
  AccountBook scratch(/*command_retention=*/3);
  for (uint64_t position = 1; position <= 3; ++position) {
    const std::string id = "c" + std::to_string(position);
    ASSERT_TRUE(log.Replay(scratch, DepositEvent("acc1", position, 10, id, position)).ok());
  }
  AccountBook book(/*command_retention=*/3);
  ASSERT_TRUE(book.RestoreAccount("acc1", {30, 3}).ok());
  ASSERT_TRUE(book.RestoreNotedCommands(scratch.NotedByFingerprint()).ok());
  for (uint64_t position = 4; position <= 5; ++position) {
    const std::string id = "c" + std::to_string(position);
    ASSERT_TRUE(log.Replay(book, DepositEvent("acc1", position, 10, id, position)).ok());
  }
  auto rows = [](const std::vector<FingerprintedCommand>& commands) {
    std::vector<std::pair<uint64_t, uint64_t>> rows;
    for (const FingerprintedCommand& command : commands) {
      rows.emplace_back(command.fingerprint, command.location.position);
    }
    return rows;
  };
  const std::vector<std::pair<uint64_t, uint64_t>> copied = rows(book.NotedByFingerprint());
  std::vector<uint64_t> positions;
  for (const auto& [fingerprint, position] : copied) positions.push_back(position);
  std::sort(positions.begin(), positions.end());
  EXPECT_EQ(positions, (std::vector<uint64_t>{3, 4, 5}));

  EXPECT_EQ(rows(std::move(book).TakeNotedByFingerprint()), copied);
  EXPECT_EQ(book.noted_command_count(), 0u);
  EXPECT_EQ(book.Get("acc1").balance, 50);
}

}  // namespace
}  // namespace bank::command
