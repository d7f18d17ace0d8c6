// The upcaster seam, shown with a hand-made older event shape
// (legacy_event_v0.proto) that no release wrote: a log of such records,
// followed by version-1 records as a release that introduced version 1 would
// have appended them, read through the real recovery and read paths.

#include "command-service/store/event_upcaster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "command-service/recovered_state.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/log_format.h"
#include "legacy_event_v0.pb.h"
#include "tests/command/log_test_util.h"

namespace bank::log {
namespace {

using ::bank::command::CommandKind;
using ::bank::store::EventUpcaster;
using ::bank::testing::AppendAndWait;
using ::bank::testing::DepositEvent;
using ::bank::testing::FreshDir;
using ::bank::testing::RawRecord;
using ::bank::testing::ReadFile;
using ::bank::testing::WriteSegment;
using ::testing::HasSubstr;

// The schema version the test gives the older shape: one that no release
// wrote, so the production upcaster reads no record of it.
constexpr uint8_t kVersion0 = 0;

// What a release that replaced EventV0 with bank.v1.Event would register for
// version 0: the fields map one to one, the amount's sign picks the body, and
// recorded_at stays unset because the old shape never had one.
bool UpcastV0(absl::string_view payload, bank::v1::Event* event) {
  bank::testing::EventV0 old;
  if (!old.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return false;
  const int64_t amount = old.amount();
  // Zero, and a withdrawal too large for int64 to hold positive, have no
  // current shape.
  if (amount == 0 || amount == std::numeric_limits<int64_t>::min()) return false;
  event->set_position(old.position());
  event->set_account_id(old.account_id());
  event->set_version(old.version());
  event->set_command_id(old.command_id());
  if (amount > 0) {
    event->mutable_deposited()->set_amount(amount);
  } else {
    event->mutable_withdrawn()->set_amount(-amount);
  }
  return true;
}

EventUpcaster WithVersion0() {
  EventUpcaster upcaster;
  upcaster.Register(kVersion0, UpcastV0);
  return upcaster;
}

RawRecord V0(uint64_t position, const std::string& account, uint64_t version, int64_t amount,
             const std::string& command_id) {
  bank::testing::EventV0 old;
  old.set_position(position);
  old.set_account_id(account);
  old.set_version(version);
  old.set_command_id(command_id);
  old.set_amount(amount);
  return {static_cast<RecordType>(kVersion0), position, old.SerializeAsString()};
}

RawRecord V1(bank::v1::Event event, uint64_t position, RecordType type = RecordType::kEventV1) {
  event.set_position(position);
  event.mutable_recorded_at()->set_seconds(1700000000);
  return {type, position, event.SerializeAsString()};
}

bank::v1::Event Withdrawal(const std::string& account, uint64_t version, int64_t amount,
                           const std::string& command_id) {
  bank::v1::Event event = DepositEvent(account, version, amount, command_id);
  event.mutable_withdrawn()->set_amount(amount);
  return event;
}

// Four events of the older shape, then two of version 1; returns the bytes.
std::string WriteUpgradedLog(const std::string& dir) {
  return WriteSegment(dir, 1,
                      {
                          V0(1, "alice", 1, 100, "c-1"),
                          V0(2, "alice", 2, -30, "c-2"),
                          V0(3, "bob", 1, 50, ""),
                          V0(4, "alice", 3, 5, "c-3"),
                          V1(Withdrawal("bob", 2, 20, "c-4"), 5),
                          V1(Withdrawal("alice", 4, 25, ""), 6),
                      });
}

// Starts up as the service does over `dir`, reading with `upcaster`, and
// keeps the events recovery replayed.
absl::StatusOr<command::RecoveredState> Recover(const std::string& dir, EventUpcaster upcaster,
                                                std::vector<bank::v1::Event>* events) {
  return command::RecoverState(
      {.dir = dir, .index_every = 2, .upcaster = std::move(upcaster)},
      command::kMinCommandRetention,
      [events](const bank::v1::Event& event) { events->push_back(event); });
}

// The type byte of every record in the segment file at `path`.
std::vector<int> RecordTypes(const std::string& path) {
  const std::string bytes = ReadFile(path);
  std::vector<int> types;
  DecodedRecord record;
  for (size_t offset = kSegmentHeaderSize;
       DecodeRecord(absl::string_view(bytes).substr(offset), &record) == DecodeResult::kOk;
       offset += record.size) {
    types.push_back(record.type);
  }
  return types;
}

TEST(EventUpcasterTest, OlderShapeIsReadInTheCurrentShapeWhenItsUpcasterIsRegistered) {
  const std::string dir = FreshDir("upcast_v0");
  WriteUpgradedLog(dir);
  std::vector<bank::v1::Event> recovered;
  auto state = Recover(dir, WithVersion0(), &recovered);
  ASSERT_TRUE(state.ok()) << state.status();
  auto& log = state->log;
  auto& book = state->book;

  ASSERT_EQ(recovered.size(), 6u);
  EXPECT_EQ(recovered[1].DebugString(),
            "position: 2\naccount_id: \"alice\"\nversion: 2\ncommand_id: \"c-2\"\n"
            "withdrawn {\n  amount: 30\n}\n");
  EXPECT_EQ(recovered[2].DebugString(),
            "position: 3\naccount_id: \"bob\"\nversion: 1\ndeposited {\n  amount: 50\n}\n");
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(recovered[i].has_recorded_at()) << i;
  EXPECT_TRUE(recovered[4].has_recorded_at());
  EXPECT_EQ(book.Get("alice").balance, 50);
  EXPECT_EQ(book.Get("alice").version, 4u);
  EXPECT_EQ(book.Get("bob").balance, 30);
  EXPECT_EQ(book.Get("bob").version, 2u);
  EXPECT_EQ(book.command_count(), 4u);
  auto withdrawal =
      book.FindCommand("c-2", [&log](uint64_t position) { return ReadEventAt(*log, position); });
  ASSERT_TRUE(withdrawal.ok()) << withdrawal.status();
  ASSERT_TRUE(withdrawal->has_value());
  EXPECT_EQ((*withdrawal)->kind, CommandKind::kWithdraw);
  EXPECT_EQ((*withdrawal)->amount, 30);
  EXPECT_EQ((*withdrawal)->balance_after, 70);
  EXPECT_EQ((*withdrawal)->position, 2u);

  // Reads (what Subscribe streams) go through the same upcaster, from any
  // position.
  for (uint64_t after = 0; after < 6; ++after) {
    std::vector<bank::v1::Event> read;
    ASSERT_TRUE(log->ReadAfter(after, 100, &read).ok()) << after;
    ASSERT_EQ(read.size(), 6 - after);
    for (size_t i = 0; i < read.size(); ++i) {
      EXPECT_EQ(read[i].SerializeAsString(), recovered[after + i].SerializeAsString());
    }
  }
}

TEST(EventUpcasterTest, OlderShapeWithoutItsUpcasterRefusesToOpenNamingVersionAndPosition) {
  const std::string dir = FreshDir("upcast_v0_missing");
  const std::string bytes = WriteUpgradedLog(dir);
  std::vector<bank::v1::Event> recovered;
  auto log = Recover(dir, EventUpcaster(), &recovered);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition) << log.status();
  EXPECT_EQ(log.status().message(),
            dir + "/" + SegmentFileName(1) + " at offset " + std::to_string(kSegmentHeaderSize) +
                ": the event at position 1 has schema version 0; this release reads versions 1");
  EXPECT_TRUE(recovered.empty());
  EXPECT_EQ(ReadFile(dir + "/" + SegmentFileName(1)), bytes) << "the log was changed";
}

TEST(EventUpcasterTest, UnknownVersionInTheMiddleOfTheLogRefusesToOpen) {
  const std::string dir = FreshDir("upcast_unknown");
  const std::string bytes =
      WriteSegment(dir, 1,
                   {
                       V1(DepositEvent("a", 1, 10), 1),
                       V1(DepositEvent("a", 2, 10), 2),
                       // A payload version 1 would read: the version alone refuses it.
                       V1(DepositEvent("a", 3, 10), 3, static_cast<RecordType>(9)),
                       V1(DepositEvent("a", 4, 10), 4),
                   });
  std::vector<bank::v1::Event> recovered;
  auto log = Recover(dir, EventUpcaster(), &recovered);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition) << log.status();
  EXPECT_THAT(log.status().message(),
              HasSubstr("the event at position 3 has schema version 9, from a newer release; "
                        "this release reads versions 1: run a newer release"));
  EXPECT_THAT(log.status().message(), HasSubstr(dir + "/" + SegmentFileName(1) + " at offset "));
  EXPECT_EQ(recovered.size(), 2u);
  EXPECT_EQ(ReadFile(dir + "/" + SegmentFileName(1)), bytes) << "the log was changed";
}

TEST(EventUpcasterTest, AppendsAfterOlderRecordsAreWrittenInTheCurrentVersion) {
  const std::string dir = FreshDir("upcast_append");
  WriteUpgradedLog(dir);
  {
    std::vector<bank::v1::Event> recovered;
    auto state = Recover(dir, WithVersion0(), &recovered);
    ASSERT_TRUE(state.ok()) << state.status();
    auto position = AppendAndWait(*state->log, DepositEvent("bob", 3, 1));
    ASSERT_TRUE(position.ok()) << position.status();
    EXPECT_EQ(*position, 7u);
  }
  EXPECT_EQ(RecordTypes(dir + "/" + SegmentFileName(1)),
            (std::vector<int>{0, 0, 0, 0, 1, 1, static_cast<int>(kCurrentEventType)}));
}

TEST(EventUpcasterTest, PayloadNotOfItsVersionsShapeOrPositionIsDataLoss) {
  const EventUpcaster upcaster;
  bank::v1::Event event;
  const std::string garbage = "\xff\xff\xff";
  EXPECT_EQ(
      upcaster
          .Upcast({.schema_version = 1, .position = 1, .payload = garbage, .group_end = 1}, &event)
          .code(),
      absl::StatusCode::kDataLoss);
  bank::v1::Event third = DepositEvent("a", 3, 10);
  third.set_position(3);
  const std::string payload = third.SerializeAsString();
  absl::Status moved = upcaster.Upcast(
      {.schema_version = 1, .position = 2, .payload = payload, .group_end = 2}, &event);
  EXPECT_EQ(moved.code(), absl::StatusCode::kDataLoss) << moved;
  EXPECT_EQ(moved.message(),
            "the event stored at position 2 is not a valid event of schema version 1");
}

}  // namespace
}  // namespace bank::log
