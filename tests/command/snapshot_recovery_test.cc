// Snapshots end to end below gRPC: the writer follows a real file log while
// the handler takes commands, and start-up from its snapshots rebuilds exactly
// the state the whole log does - with the newest snapshot damaged, with every
// snapshot damaged, and with one that belongs to a longer log.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "command-service/command_handler.h"
#include "command-service/recovered_state.h"
#include "command-service/snapshot/snapshot_files.h"
#include "command-service/snapshot/snapshot_writer.h"
#include "tests/command/handler_test_util.h"
#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::ExecuteAndWait;
using ::bank::testing::FreshDir;
using ::bank::testing::kTestSegmentBytes;
using ::bank::testing::ReadFile;
using ::bank::testing::TransferAndWait;
using ::bank::testing::TransferCommand;
using ::bank::testing::WriteFile;

constexpr uint64_t kRetention = 1000;
// Generous: the writer is prompt; a slow machine only makes this wait longer.
constexpr absl::Duration kSnapshotDeadline = absl::Seconds(60);

std::vector<std::string> FilesEndingIn(const std::string& dir, absl::string_view suffix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, suffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A copy of `dir` without its snapshots: the whole log, and nothing else.
std::string LogOnlyCopy(const std::string& dir) {
  const std::string copy = FreshDir(std::filesystem::path(dir).filename().string() + ".log-only");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") std::filesystem::copy(entry.path(), copy);
  }
  return copy;
}

// Everything start-up rebuilds from `dir`, as text: each account's balance and
// version, and each of `ids`' recorded reply. `replayed` counts the events
// replayed after the snapshot start-up began from.
std::string StateOf(const std::string& dir, const std::vector<std::string>& ids,
                    uint64_t* replayed = nullptr) {
  uint64_t events = 0;
  absl::StatusOr<RecoveredState> recovered =
      RecoverState({.dir = dir, .segment_bytes = kTestSegmentBytes}, kRetention,
                   [&events](const bank::v1::Event&) { ++events; });
  if (!recovered.ok()) return recovered.status().ToString();
  if (replayed != nullptr) *replayed = events;
  std::map<std::string, std::string> accounts;
  recovered->book.ForEachAccount([&](absl::string_view id, const AccountState& state) {
    accounts[std::string(id)] = absl::StrCat(state.balance, " at version ", state.version);
  });
  std::string state;
  for (const auto& [id, account] : accounts) absl::StrAppend(&state, id, ": ", account, "\n");
  auto read = [&](uint64_t position) { return ReadEventAt(*recovered->log, position); };
  for (const std::string& id : ids) {
    absl::StatusOr<std::optional<RecordedCommand>> found = recovered->book.FindCommand(id, read);
    if (!found.ok() || !found->has_value()) {
      absl::StrAppend(&state, id, ": not found\n");
      continue;
    }
    const RecordedCommand& command = **found;
    absl::StrAppend(&state, id, ": ", ReplyOf(command).ShortDebugString(), " ",
                    command.to_account_id, " ", command.to_version, " ", command.to_balance_after,
                    "\n");
  }
  return state;
}

class SnapshotRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { Close(); }

  // Opens the log in `dir_` and, unless `snapshot_every` is 0, a writer.
  void Open(uint64_t snapshot_every) {
    Close();
    auto recovered = RecoverState({.dir = dir_, .segment_bytes = kTestSegmentBytes}, kRetention);
    ASSERT_TRUE(recovered.ok()) << recovered.status();
    log_ = std::move(recovered->log);
    handler_ = std::make_unique<CommandHandler>(*log_, std::move(recovered->book));
    if (snapshot_every > 0) {
      writer_ = std::make_unique<SnapshotWriter>(
          *log_, SnapshotWriter::Options{
                     .dir = dir_, .every = snapshot_every, .command_retention = kRetention});
    }
  }

  void Close() {
    writer_.reset();
    handler_.reset();
    log_.reset();
  }

  absl::StatusOr<bank::v1::CommandReply> Execute(CommandKind kind, const std::string& account,
                                                 int64_t amount, const std::string& id) {
    return ExecuteAndWait(*handler_, Command{kind, account, amount, id, std::nullopt, "", ""});
  }

  absl::StatusOr<bank::v1::TransferReply> Transfer(const std::string& from, const std::string& to,
                                                   int64_t amount, const std::string& id) {
    return TransferAndWait(*handler_, TransferCommand(from, to, amount, id));
  }

  // `count` commands over three accounts: deposits, withdrawals and
  // transfers (some refused for want of funds), one in four without an id.
  // Notes the ids of those accepted.
  void RunMix(int count) {
    for (int i = 0; i < count; ++i, ++issued_) {
      const std::string id = issued_ % 4 == 3 ? "" : absl::StrCat("cmd-", issued_);
      const std::string account = absl::StrCat("acct-", issued_ % 3);
      const std::string other = absl::StrCat("acct-", (issued_ + 1) % 3);
      absl::Status outcome;
      switch (issued_ % 4) {
        case 0:
          outcome = Transfer(account, other, 7, id).status();
          break;
        case 2:
          outcome = Execute(CommandKind::kWithdraw, account, 30, id).status();
          break;
        default:
          outcome = Execute(CommandKind::kDeposit, account, 25, id).status();
      }
      ASSERT_TRUE(outcome.ok() || outcome.code() == absl::StatusCode::kFailedPrecondition)
          << outcome;
      if (outcome.ok() && !id.empty()) ids_.push_back(id);
    }
  }

  // Waits for the writer to write a snapshot at `position` or later.
  void WaitForSnapshotAtOrAfter(uint64_t position) {
    EXPECT_TRUE(writer_->WaitForSnapshot(position, kSnapshotDeadline))
        << "no snapshot at or after " << position;
  }

  // The positions of the snapshots in dir_, oldest first.
  std::vector<uint64_t> SnapshotsOnDisk() const {
    std::vector<uint64_t> positions;
    for (const std::string& name : FilesEndingIn(dir_, ".snap")) {
      positions.push_back(std::stoull(name.substr(0, 20)));
    }
    return positions;
  }

  std::string dir_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<CommandHandler> handler_;
  std::unique_ptr<SnapshotWriter> writer_;
  int issued_ = 0;
  std::vector<std::string> ids_;
};

TEST_F(SnapshotRecoveryTest, StartUpFromASnapshotRebuildsWhatTheWholeLogDoes) {
  Open(/*snapshot_every=*/40);
  RunMix(100);
  WaitForSnapshotAtOrAfter(40);
  RunMix(20);  // a tail after the snapshot, or after a newer one
  const uint64_t head = log_->durable_head();
  Close();
  ASSERT_FALSE(SnapshotsOnDisk().empty());
  const uint64_t snapshot_at = SnapshotsOnDisk().back();

  uint64_t from_snapshot = 0, from_log = 0;
  const std::string state = StateOf(dir_, ids_, &from_snapshot);
  EXPECT_EQ(state, StateOf(LogOnlyCopy(dir_), ids_, &from_log));
  EXPECT_EQ(from_snapshot, head - snapshot_at) << "only the tail is replayed";
  EXPECT_EQ(from_log, head);
  EXPECT_FALSE(absl::StrContains(state, "not found")) << state;
}

// So that start-up reads the snapshot's own segment only from there on.
TEST_F(SnapshotRecoveryTest, EachSnapshotSaysWhereTheLogsRecordOfItsPositionStarts) {
  Open(/*snapshot_every=*/40);
  RunMix(100);
  WaitForSnapshotAtOrAfter(40);
  RunMix(50);
  WaitForSnapshotAtOrAfter(SnapshotsOnDisk().back() + 40);
  ASSERT_EQ(SnapshotsOnDisk().size(), kSnapshotsKept);
  for (uint64_t position : SnapshotsOnDisk()) {
    absl::StatusOr<Snapshot> snapshot =
        DecodeSnapshot(ReadFile(dir_ + "/" + SnapshotFileName(position)), kRetention);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    absl::StatusOr<log::RecordPlace> place = log_->PlaceOf(position);
    ASSERT_TRUE(place.ok()) << place.status();
    EXPECT_EQ(snapshot->last_record.segment_base, place->segment_base);
    EXPECT_EQ(snapshot->last_record.offset, place->offset);
    EXPECT_GT(snapshot->last_record.offset, 0u);
  }
}

TEST_F(SnapshotRecoveryTest, ADamagedSnapshotIsSkippedForTheOlderOneOrTheWholeLog) {
  Open(/*snapshot_every=*/30);
  RunMix(40);
  WaitForSnapshotAtOrAfter(30);
  const uint64_t first = SnapshotsOnDisk().back();
  RunMix(60);  // 75 events: a snapshot after `first`, whenever the writer looks
  WaitForSnapshotAtOrAfter(first + 1);
  RunMix(10);
  const uint64_t head = log_->durable_head();
  Close();
  const std::vector<uint64_t> snapshots = SnapshotsOnDisk();
  ASSERT_EQ(snapshots.size(), 2u);
  const uint64_t older = snapshots[0], newer = snapshots[1];
  const std::string whole = StateOf(LogOnlyCopy(dir_), ids_);

  const std::string newer_path = dir_ + "/" + SnapshotFileName(newer);
  std::string bytes = ReadFile(newer_path);
  bytes[bytes.size() / 2] ^= 0x10;
  WriteFile(newer_path, bytes);
  uint64_t replayed = 0;
  EXPECT_EQ(StateOf(dir_, ids_, &replayed), whole);
  EXPECT_EQ(replayed, head - older);

  const std::string older_path = dir_ + "/" + SnapshotFileName(older);
  WriteFile(older_path, ReadFile(older_path).substr(0, 100));
  EXPECT_EQ(StateOf(dir_, ids_, &replayed), whole);
  EXPECT_EQ(replayed, head) << "no snapshot left: the whole log";
}

TEST_F(SnapshotRecoveryTest, ASnapshotPastTheLogsHeadIsNotThisLogsState) {
  Open(/*snapshot_every=*/30);
  RunMix(80);
  WaitForSnapshotAtOrAfter(30);
  Close();
  const uint64_t snapshot_at = SnapshotsOnDisk().back();
  const std::string snapshot = ReadFile(dir_ + "/" + SnapshotFileName(snapshot_at));

  // Another data directory with a shorter log, and the first one's snapshot.
  dir_ = FreshDir("ASnapshotPastTheLogsHead.shorter");
  ids_.clear();
  Open(/*snapshot_every=*/0);
  RunMix(10);
  Close();
  WriteFile(dir_ + "/" + SnapshotFileName(snapshot_at), snapshot);
  uint64_t replayed = 0;
  EXPECT_EQ(StateOf(dir_, ids_, &replayed), StateOf(LogOnlyCopy(dir_), ids_));
  EXPECT_EQ(replayed, log::EventLog::Open({.dir = dir_},
                                          [](const bank::v1::Event&) { return absl::OkStatus(); })
                          .value()
                          ->durable_head());
}

TEST_F(SnapshotRecoveryTest, ARetryOfACommandFromBeforeTheSnapshotGetsItsOriginalReply) {
  Open(/*snapshot_every=*/20);
  auto deposit = Execute(CommandKind::kDeposit, "early", 500, "early-deposit");
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  auto transfer = Transfer("early", "later", 120, "early-transfer");
  ASSERT_TRUE(transfer.ok()) << transfer.status();
  RunMix(40);
  ASSERT_TRUE(Execute(CommandKind::kWithdraw, "early", 80, "").ok());
  WaitForSnapshotAtOrAfter(transfer->to_account().position());
  Open(/*snapshot_every=*/20);  // a restart, from the snapshot

  auto retried_deposit = Execute(CommandKind::kDeposit, "early", 500, "early-deposit");
  ASSERT_TRUE(retried_deposit.ok()) << retried_deposit.status();
  EXPECT_EQ(retried_deposit->ShortDebugString(), deposit->ShortDebugString());
  auto retried_transfer = Transfer("early", "later", 120, "early-transfer");
  ASSERT_TRUE(retried_transfer.ok()) << retried_transfer.status();
  EXPECT_EQ(retried_transfer->ShortDebugString(), transfer->ShortDebugString());
}

TEST_F(SnapshotRecoveryTest, ALongLogWithoutASnapshotGetsOneAtItsHead) {
  Open(/*snapshot_every=*/0);
  RunMix(200);
  Open(/*snapshot_every=*/10);
  const uint64_t head = log_->durable_head();
  WaitForSnapshotAtOrAfter(head);
  EXPECT_EQ(SnapshotsOnDisk(), std::vector<uint64_t>{head});
}

TEST_F(SnapshotRecoveryTest, TheNewestTwoSnapshotsAreKeptAndACrashsTemporaryFileRemoved) {
  WriteFile(dir_ + "/" + SnapshotFileName(3) + ".tmp", "a write a crash cut short");
  Open(/*snapshot_every=*/10);
  // Each round adds 11 events or more: at least one snapshot after the
  // round before's, whenever the writer looks (mid-round too).
  uint64_t newest = 0;
  for (int round = 0; round < 4; ++round) {
    RunMix(12);
    WaitForSnapshotAtOrAfter(newest + 1);
    ASSERT_GT(SnapshotsOnDisk().back(), newest);
    newest = SnapshotsOnDisk().back();
  }
  Close();
  const std::vector<uint64_t> kept = SnapshotsOnDisk();
  ASSERT_EQ(kept.size(), 2u) << "of four or more written";
  EXPECT_EQ(kept.back(), newest);
  EXPECT_TRUE(FilesEndingIn(dir_, ".tmp").empty());
}

}  // namespace
}  // namespace bank::command
