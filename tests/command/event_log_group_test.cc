// The file log's groups (a transfer's two events): one record each, so a
// crash keeps a group whole or not at all, and a read never splits one.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/log_format.h"
#include "command-service/store/file/record_codec.h"
#include "command-service/store/file/segment.h"
#include "tests/command/log_test_util.h"

namespace bank::log {
namespace {

using ::bank::testing::AppendAndWait;
using ::bank::testing::AppendGroupAndWait;
using ::bank::testing::DepositEvent;
using ::bank::testing::FreshDir;
using ::bank::testing::OpenLog;
using ::bank::testing::RawRecord;
using ::bank::testing::ReadFile;
using ::bank::testing::RecordsEnd;
using ::bank::testing::SegmentPaths;
using ::bank::testing::WriteFile;
using ::bank::testing::WriteSegment;

std::vector<bank::v1::Event> Pair(const std::string& command_id, uint64_t version) {
  return {DepositEvent("from", version, 5, command_id), DepositEvent("to", version, 5, command_id)};
}

std::vector<uint64_t> Positions(const std::vector<bank::v1::Event>& events) {
  std::vector<uint64_t> positions;
  for (const bank::v1::Event& event : events) positions.push_back(event.position());
  return positions;
}

std::vector<uint64_t> ReadPositions(const EventStore& log, uint64_t after, size_t max_events) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(log.ReadAfter(after, max_events, &events).ok());
  return Positions(events);
}

// The types of the records in the segment file at `path`, in order.
std::vector<uint8_t> RecordTypes(const std::string& path) {
  const std::string bytes = ReadFile(path).substr(0, RecordsEnd(path));
  absl::string_view rest = absl::string_view(bytes).substr(kSegmentHeaderSize);
  std::vector<uint8_t> types;
  DecodedRecord record;
  while (DecodeRecord(rest, &record) == DecodeResult::kOk) {
    types.push_back(record.type);
    rest.remove_prefix(record.size);
  }
  EXPECT_TRUE(rest.empty()) << rest.size() << " bytes after the last record";
  return types;
}

constexpr uint8_t kEvent = static_cast<uint8_t>(kCurrentEventType);
constexpr uint8_t kGroup = static_cast<uint8_t>(RecordType::kEventGroup);

TEST(EventLogGroupTest, AGroupIsOneRecordAndReadsBackWholeAfterAReopen) {
  const std::string dir = FreshDir("group_record");
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ(AppendAndWait(**log, DepositEvent("from", 1, 10)).value_or(0), 1u);
    ASSERT_EQ(AppendGroupAndWait(**log, Pair("t-1", 2)).value_or(0), 2u);
    ASSERT_EQ(AppendAndWait(**log, DepositEvent("to", 3, 1)).value_or(0), 4u);
    EXPECT_EQ((*log)->durable_head(), 4u);
  }
  EXPECT_EQ(RecordTypes(SegmentPaths(dir).at(0)), (std::vector<uint8_t>{kEvent, kGroup, kEvent}));

  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(Positions(recovered), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(recovered[1].account_id(), "from");
  EXPECT_EQ(recovered[2].account_id(), "to");
  EXPECT_EQ(recovered[1].command_id(), "t-1");
  EXPECT_EQ(recovered[2].command_id(), "t-1");
  EXPECT_EQ(recovered[1].recorded_at().seconds(), recovered[2].recorded_at().seconds());
  EXPECT_EQ(recovered[1].recorded_at().nanos(), recovered[2].recorded_at().nanos());

  EXPECT_EQ(ReadPositions(**log, 0, 1), (std::vector<uint64_t>{1}));
  EXPECT_EQ(ReadPositions(**log, 1, 1), (std::vector<uint64_t>{2, 3})) << "never split";
  EXPECT_EQ(ReadPositions(**log, 0, 2), (std::vector<uint64_t>{1, 2, 3})) << "never split";
  EXPECT_EQ(ReadPositions(**log, 2, 10), (std::vector<uint64_t>{3, 4})) << "after inside it";
  EXPECT_EQ(ReadPositions(**log, 3, 10), (std::vector<uint64_t>{4}));
  // And the log goes on after it.
  EXPECT_EQ(AppendAndWait(**log, DepositEvent("to", 4, 1)).value_or(0), 5u);
}

TEST(EventLogGroupTest, EveryTruncationInsideAGroupRecordLosesTheWholeGroup) {
  const std::string dir = FreshDir("group_torn");
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(AppendAndWait(**log, DepositEvent("from", 1, 10)).ok());
  }
  const std::string path = SegmentPaths(dir).at(0);
  const size_t group_start = RecordsEnd(path);
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(AppendGroupAndWait(**log, Pair("t-1", 2)).ok());
  }
  const std::string full = ReadFile(path).substr(0, RecordsEnd(path));
  for (size_t cut = group_start; cut < full.size(); ++cut) {
    WriteFile(path, full.substr(0, cut));
    std::vector<bank::v1::Event> recovered;
    auto log = OpenLog(dir, &recovered);
    ASSERT_TRUE(log.ok()) << "cut at " << cut << ": " << log.status();
    EXPECT_EQ(Positions(recovered), (std::vector<uint64_t>{1})) << "cut at " << cut;
    EXPECT_EQ(RecordsEnd(path), group_start) << "cut at " << cut;
    EXPECT_EQ(AppendGroupAndWait(**log, Pair("t-1", 2)).value_or(0), 2u) << "cut at " << cut;
  }
}

TEST(EventLogGroupTest, AGroupIsNeverSplitAcrossSegments) {
  const std::string dir = FreshDir("group_roll");
  constexpr uint64_t kSegmentBytes = 1024;
  std::vector<uint64_t> second_legs;
  {
    auto log = OpenLog(dir, nullptr, kSegmentBytes);
    ASSERT_TRUE(log.ok());
    for (uint64_t i = 1; i <= 60; ++i) {
      absl::StatusOr<uint64_t> first = AppendGroupAndWait(**log, Pair("t-" + std::to_string(i), i));
      ASSERT_TRUE(first.ok()) << first.status();
      second_legs.push_back(*first + 1);
    }
  }
  const std::vector<std::string> segments = SegmentPaths(dir);
  ASSERT_GT(segments.size(), 5u);
  for (const std::string& path : segments) {
    const std::optional<uint64_t> base =
        ParseSegmentFileName(std::filesystem::path(path).filename().string());
    ASSERT_TRUE(base.has_value());
    EXPECT_EQ(std::count(second_legs.begin(), second_legs.end(), *base), 0)
        << path << " starts inside a group";
  }
  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered, kSegmentBytes);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(recovered.size(), 120u);
  for (uint64_t after = 0; after < 120; after += 2) {
    EXPECT_EQ(ReadPositions(**log, after, 1), (std::vector<uint64_t>{after + 1, after + 2}));
  }
}

TEST(EventLogGroupTest, AnEmptyOrOversizedGroupIsRefusedAndTheLogStaysHealthy) {
  const std::string dir = FreshDir("group_refused");
  auto log = OpenLog(dir);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(AppendGroupAndWait(**log, {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<bank::v1::Event> huge;
  for (uint64_t version = 1; version <= 20; ++version) {
    huge.push_back(DepositEvent("a", version, 1, std::string(64 << 10, 'x')));
  }
  EXPECT_EQ(AppendGroupAndWait(**log, huge).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*log)->health().ok()) << (*log)->health();
  EXPECT_EQ((*log)->durable_head(), 0u);
  EXPECT_EQ(AppendGroupAndWait(**log, Pair("t-1", 1)).value_or(0), 1u);
}

std::string Serialized(bank::v1::Event event, uint64_t position) {
  event.set_position(position);
  return event.SerializeAsString();
}

// A group record framed with a good checksum around `payload`, after one
// ordinary event: what only a writer's bug (or damage the checksum missed)
// could leave.
absl::Status OpenWithGroupPayload(const std::string& name, const std::string& payload) {
  const std::string dir = FreshDir(name);
  WriteSegment(dir, 1,
               {RawRecord{kCurrentEventType, 1, Serialized(DepositEvent("a", 1, 1), 1)},
                RawRecord{RecordType::kEventGroup, 2, payload}});
  return OpenLog(dir).status();
}

TEST(EventLogGroupTest, AMalformedGroupRecordRefusesToOpen) {
  const std::string one = Serialized(DepositEvent("a", 2, 1), 2);
  const std::string two = Serialized(DepositEvent("b", 1, 1), 3);
  auto member = [](uint8_t version, const std::string& event) {
    const store::StoredPayload stored{
        .schema_version = version, .position = 0, .payload = event, .group_end = 0};
    return EncodeGroupPayload({&stored, 1});
  };
  const std::string good_first = member(store::kCurrentSchemaVersion, one);

  absl::Status lone = OpenWithGroupPayload("group_lone", good_first);
  EXPECT_EQ(lone.code(), absl::StatusCode::kDataLoss) << lone;
  EXPECT_TRUE(absl::StrContains(lone.message(), "not two or more")) << lone;

  const std::string cut_short = good_first + member(1, two).substr(0, 9);
  absl::Status malformed = OpenWithGroupPayload("group_cut", cut_short);
  EXPECT_EQ(malformed.code(), absl::StatusCode::kDataLoss) << malformed;
  EXPECT_TRUE(absl::StrContains(malformed.message(), "malformed at its event at position 3"))
      << malformed;

  absl::Status nested = OpenWithGroupPayload("group_nested", good_first + member(kGroup, two));
  EXPECT_EQ(nested.code(), absl::StatusCode::kDataLoss) << nested;

  absl::Status newer = OpenWithGroupPayload("group_newer", good_first + member(9, two));
  EXPECT_EQ(newer.code(), absl::StatusCode::kFailedPrecondition) << newer;
  EXPECT_TRUE(absl::StrContains(newer.message(), "position 3 has schema version 9")) << newer;
}

}  // namespace
}  // namespace bank::log
