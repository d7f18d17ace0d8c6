// The snapshot format (docs/snapshot-format.md): what goes in comes out, and
// damage of any kind is refused rather than believed.

#include "command-service/snapshot/snapshot_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/little_endian.h"
#include "common/varint.h"
#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::DepositEvent;
using ::bank::testing::TransferEvents;

// A book after six events: two accounts, a transfer between them, and ids
// on all but one command.
AccountBook SmallBook(uint64_t retention = 100) {
  AccountBook book(retention);
  std::vector<bank::v1::Event> events = {
      DepositEvent("alice", 1, 500, "c1", 1), DepositEvent("bob", 1, 70, "c2", 2),
      DepositEvent("alice", 2, 5, "", 3), DepositEvent("alice", 3, 1, "c4", 4)};
  for (const bank::v1::Event& leg : TransferEvents("alice", 4, "bob", 2, 100, "t5", 5)) {
    events.push_back(leg);
  }
  for (const bank::v1::Event& event : events) EXPECT_TRUE(book.Replay(event).ok());
  return book;
}

std::map<std::string, std::pair<int64_t, uint64_t>> Accounts(const AccountBook& book) {
  std::map<std::string, std::pair<int64_t, uint64_t>> accounts;
  book.ForEachAccount([&](absl::string_view id, const AccountState& state) {
    accounts[std::string(id)] = {state.balance, state.version};
  });
  return accounts;
}

std::vector<std::string> NotedCommands(const AccountBook& book) {
  std::vector<std::string> noted;
  for (const FingerprintedCommand& command : book.NotedByFingerprint()) {
    noted.push_back(absl::StrCat(command.fingerprint, "@", command.location.position, ":",
                                 command.location.balance_after, "/",
                                 command.location.to_balance_after));
  }
  return noted;
}

// `bytes` with its footer recomputed: damage the checksum cannot see.
std::string Resealed(std::string bytes) {
  bytes.resize(bytes.size() - kSnapshotFooterSize);
  PutLittleEndian<uint32_t>(&bytes, Crc32c(bytes));
  return bytes;
}

template <typename T>
std::string WithField(std::string bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
  return Resealed(std::move(bytes));
}

// A command as a test writes it: fingerprint, position, balance after,
// receiving balance after.
using CommandRow = std::array<uint64_t, 4>;

// `bytes` with its commands, which start at `first_command`, replaced by
// `rows`, encoded as version 2 encodes them, and the header's count to match.
std::string WithCommands(const std::string& bytes, size_t first_command,
                         const std::vector<CommandRow>& rows) {
  std::string out = bytes.substr(0, first_command);
  const uint64_t count = rows.size();
  std::memcpy(out.data() + 40, &count, sizeof(count));
  uint64_t fingerprint = 0;
  for (const CommandRow& row : rows) {
    PutVarint(&out, row[0] - fingerprint);  // wraps for a smaller one
    fingerprint = row[0];
    for (size_t field = 1; field < row.size(); ++field) PutVarint(&out, row[field]);
  }
  return Resealed(out + std::string(kSnapshotFooterSize, '\0'));
}

// Where SmallBook()'s commands start in its encoding: after the header and
// its two accounts, "alice" and "bob".
constexpr size_t kSmallBookCommands = kSnapshotHeaderSize + (1 + 5 + 16) + (1 + 3 + 16);

// Version 1's encoding of `book`: its 48-byte header, the accounts as now,
// and each command in four fixed 8-byte fields.
std::string Version1(const AccountBook& book, uint64_t position, size_t first_command) {
  const std::string v2 = EncodeSnapshot(book, position);
  std::string v1 = v2.substr(0, kSnapshotV1HeaderSize) +
                   v2.substr(kSnapshotHeaderSize, first_command - kSnapshotHeaderSize);
  const uint32_t version = 1;
  std::memcpy(v1.data() + 8, &version, sizeof(version));
  for (const FingerprintedCommand& command : book.NotedByFingerprint()) {
    PutLittleEndian<uint64_t>(&v1, command.fingerprint);
    PutLittleEndian<uint64_t>(&v1, command.location.position);
    PutLittleEndian<int64_t>(&v1, command.location.balance_after);
    PutLittleEndian<int64_t>(&v1, command.location.to_balance_after);
  }
  return Resealed(v1 + std::string(kSnapshotFooterSize, '\0'));
}

TEST(SnapshotFormatTest, ABookComesBackWithItsAccountsAndCommandIds) {
  const AccountBook book = SmallBook();
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(EncodeSnapshot(book, 6), 100);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->position, 6u);
  EXPECT_EQ(Accounts(decoded->book), Accounts(book));
  EXPECT_EQ(Accounts(decoded->book)["alice"], std::make_pair(int64_t{406}, uint64_t{4}));
  EXPECT_EQ(NotedCommands(decoded->book), NotedCommands(book));
  EXPECT_EQ(NotedCommands(book).size(), 4u) << "c1, c2, c4 and the transfer t5";
  EXPECT_THAT(NotedCommands(book),
              ::testing::Contains(absl::StrCat(CommandIndex::Fingerprint("t5"), "@5:406/170")));
}

TEST(SnapshotFormatTest, AnEmptyBookIsASnapshotToo) {
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(EncodeSnapshot(AccountBook(10), 0), 10);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->position, 0u);
  EXPECT_EQ(decoded->book.account_count(), 0u);
}

TEST(SnapshotFormatTest, ASnapshotKeepingMoreIdsGivesTheNewestTheBookHolds) {
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(EncodeSnapshot(SmallBook(100), 6), 2);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  std::vector<std::string> newest;  // c4 at 4 and t5 at 5, by fingerprint
  for (const FingerprintedCommand& command : SmallBook().NotedByFingerprint()) {
    if (command.location.position >= 4) {
      newest.push_back(absl::StrCat(command.fingerprint, "@", command.location.position, ":",
                                    command.location.balance_after, "/",
                                    command.location.to_balance_after));
    }
  }
  EXPECT_EQ(NotedCommands(decoded->book), newest);
}

TEST(SnapshotFormatTest, ASmallerRetentionThanAskedForIsRefused) {
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(EncodeSnapshot(SmallBook(3), 6), 4);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kFailedPrecondition) << decoded.status();
  EXPECT_NE(decoded.status().message().find("keeps 3 command ids, fewer than the 4"),
            std::string::npos)
      << decoded.status();
}

TEST(SnapshotFormatTest, EveryFlippedBitIsDataLoss) {
  const std::string bytes = EncodeSnapshot(SmallBook(), 6);
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string damaged = bytes;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(DecodeSnapshot(damaged, 100).status().code(), absl::StatusCode::kDataLoss)
        << "bit " << bit;
  }
}

TEST(SnapshotFormatTest, EveryTruncationIsDataLoss) {
  const std::string bytes = EncodeSnapshot(SmallBook(), 6);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_EQ(DecodeSnapshot(bytes.substr(0, size), 100).status().code(),
              absl::StatusCode::kDataLoss)
        << "cut to " << size << " bytes";
  }
}

TEST(SnapshotFormatTest, ANewerFormatVersionIsFailedPrecondition) {
  const std::string newer = WithField<uint32_t>(EncodeSnapshot(SmallBook(), 6), 8, 3);
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(newer, 100);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kFailedPrecondition) << decoded.status();
  EXPECT_NE(decoded.status().message().find("format version 3"), std::string::npos);
}

TEST(SnapshotFormatTest, ThePlaceOfTheLastRecordComesBack) {
  const log::RecordPlace place{.segment_base = 3, .offset = 4096};
  absl::StatusOr<Snapshot> decoded = DecodeSnapshot(EncodeSnapshot(SmallBook(), 6, place), 100);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->last_record.segment_base, 3u);
  EXPECT_EQ(decoded->last_record.offset, 4096u);
}

// Version 1 had no record place, and fixed-size commands.
TEST(SnapshotFormatTest, AVersion1SnapshotStillReadsWithoutAPlace) {
  absl::StatusOr<Snapshot> decoded =
      DecodeSnapshot(Version1(SmallBook(), 6, kSmallBookCommands), 100);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->position, 6u);
  EXPECT_EQ(decoded->last_record.segment_base, 0u);
  EXPECT_EQ(decoded->last_record.offset, 0u);
  EXPECT_EQ(Accounts(decoded->book), Accounts(SmallBook()));
  EXPECT_EQ(NotedCommands(decoded->book), NotedCommands(SmallBook()));
}

// Damage behind a good checksum (a bug, or a file put together by hand):
// every state no log could have left is refused.
TEST(SnapshotFormatTest, AStateNoLogCouldHaveLeftIsDataLoss) {
  const std::string bytes = EncodeSnapshot(SmallBook(), 6);
  constexpr size_t kAlice = kSnapshotHeaderSize;  // the first account: "alice"
  constexpr size_t kAliceBalance = kAlice + 1 + 5;
  constexpr size_t kBob = kAliceBalance + 16;
  const size_t first_command = kSmallBookCommands;
  ASSERT_TRUE(
      DecodeSnapshot(WithCommands(bytes, first_command, {{1, 2, 0, 0}, {1, 3, 4, 5}}), 100).ok())
      << "the commands below are written as the encoder writes them";
  const struct {
    const char* what;
    std::string bytes;
  } cases[] = {
      {"a negative balance", WithField<int64_t>(bytes, kAliceBalance, -1)},
      {"version 0", WithField<uint64_t>(bytes, kAliceBalance + 8, 0)},
      {"a version past the position", WithField<uint64_t>(bytes, kAliceBalance + 8, 7)},
      {"an account twice", Resealed(bytes.substr(0, kBob) + bytes.substr(kAlice, kBob - kAlice) +
                                    bytes.substr(first_command))},
      {"a bad account id", WithField<char>(bytes, kAlice + 1, ' ')},
      {"a command past the position", WithCommands(bytes, first_command, {{1, 7, 0, 0}})},
      {"a command at position 0", WithCommands(bytes, first_command, {{1, 0, 0, 0}})},
      {"commands out of fingerprint order",
       WithCommands(bytes, first_command, {{5, 1, 0, 0}, {3, 2, 0, 0}})},
      {"one fingerprint's commands out of position order",
       WithCommands(bytes, first_command, {{5, 2, 0, 0}, {5, 1, 0, 0}})},
      {"a balance past int64", WithCommands(bytes, first_command, {{1, 1, 1ull << 63, 0}})},
      {"a receiving balance past int64", WithCommands(bytes, first_command, {{1, 1, 0, ~0ull}})},
      {"a varint in a longer form than its shortest",
       Resealed(WithCommands(bytes, first_command, {{1, 1, 0, 0}}).substr(0, first_command) +
                std::string("\x01\x81\x00\x00\x00", 5) + std::string(kSnapshotFooterSize, '\0'))},
      {"more accounts than bytes", WithField<uint64_t>(bytes, 32, 1000)},
      {"more commands than bytes", WithField<uint64_t>(bytes, 40, 1u << 30)},
      {"more commands than its retention", WithField<uint64_t>(bytes, 24, 3)},
      {"bytes after the last command", Resealed(bytes + std::string(9, '\0'))},
      {"a bad magic", WithField<char>(bytes, 0, 'X')},
      {"a record in a segment after the position", WithField<uint64_t>(bytes, 48, 7)},
      {"a record in a segment's header",
       WithField<uint64_t>(WithField<uint64_t>(bytes, 48, 6), 56, 31)},
      {"an offset without a segment", WithField<uint64_t>(bytes, 56, 4096)},
  };
  for (const auto& c : cases) {
    absl::StatusOr<Snapshot> decoded = DecodeSnapshot(c.bytes, 100);
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
        << c.what << ": " << decoded.status();
  }
}

}  // namespace
}  // namespace bank::command
