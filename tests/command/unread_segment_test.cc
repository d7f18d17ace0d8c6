// Start-up from a snapshot leaves the sealed segments the snapshot holds
// unread, and the records of the snapshot's own segment up to its cut when
// the snapshot says where they end: each is checked and indexed on its first
// read instead, with the same judgement start-up would have given it.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/log_format.h"
#include "tests/command/log_test_util.h"

namespace bank::log {
namespace {

using ::bank::testing::FreshDir;
using ::bank::testing::ReadFile;
using ::bank::testing::SegmentPaths;
using ::bank::testing::WriteEvents;
using ::bank::testing::WriteFile;

constexpr int kEvents = 100;
constexpr uint64_t kSegmentBytes = 1024;  // about twenty events a segment
constexpr uint64_t kSnapshotAt = 60;

// Opens the log in `dir` as start-up from a snapshot at `cut` would (by
// default one at kSnapshotAt that does not say where its record is),
// collecting the events it hands over.
absl::StatusOr<std::unique_ptr<EventLog>> OpenAfterSnapshot(
    const std::string& dir, std::vector<uint64_t>* replayed = nullptr,
    SnapshotCut cut = {.position = kSnapshotAt, .last_record = {}}) {
  return EventLog::Open(
      {.dir = dir, .segment_bytes = kSegmentBytes, .index_every = 2},
      [replayed](const bank::v1::Event& event) {
        if (replayed != nullptr) replayed->push_back(event.position());
        return absl::OkStatus();
      },
      cut);
}

// The cut a snapshot at `position` of the log in `dir` keeps.
SnapshotCut CutAt(const std::string& dir, uint64_t position) {
  auto log = OpenAfterSnapshot(dir, nullptr, {});
  EXPECT_TRUE(log.ok()) << log.status();
  absl::StatusOr<RecordPlace> place = (*log)->PlaceOf(position);
  EXPECT_TRUE(place.ok()) << place.status();
  return {.position = position, .last_record = place.value_or(RecordPlace{})};
}

// Every event of the log reads back, whatever the read starts after.
void ExpectEveryEventReadsBack(const EventLog& log, uint64_t head) {
  for (uint64_t after = 0; after < head; ++after) {
    std::vector<bank::v1::Event> events;
    ASSERT_TRUE(log.ReadAfter(after, head, &events).ok()) << "after " << after;
    ASSERT_EQ(events.size(), head - after) << "after " << after;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].position(), after + 1 + i);
    }
  }
}

// Flips a byte of the first record of the segment in `dir` that holds the
// cut.
void DamageCutSegmentsFirstRecord(const std::string& dir, const SnapshotCut& cut) {
  const std::string path = dir + "/" + SegmentFileName(cut.last_record.segment_base);
  ASSERT_LT(kSegmentHeaderSize + 20, cut.last_record.offset) << "a record before the cut's";
  std::string bytes = ReadFile(path);
  bytes[kSegmentHeaderSize + 20] ^= 0x01;
  WriteFile(path, bytes);
}
std::string WrittenLog(const std::string& name) {
  const std::string dir = FreshDir(name);
  WriteEvents(dir, kEvents, kSegmentBytes);
  EXPECT_GE(SegmentPaths(dir).size(), 4u) << "two or more segments before the snapshot";
  return dir;
}

// Flips a byte in the middle of the first segment's records.
void DamageFirstSegment(const std::string& dir) {
  const std::string path = SegmentPaths(dir).at(0);
  std::string bytes = ReadFile(path);
  bytes[kSegmentHeaderSize + 40] ^= 0x01;
  WriteFile(path, bytes);
}

TEST(UnreadSegmentTest, OnlyTheEventsAfterTheSnapshotAreHandedOverAndEveryEventReadsBack) {
  const std::string dir = WrittenLog("unread_reads_back");
  std::vector<uint64_t> replayed;
  auto log = OpenAfterSnapshot(dir, &replayed);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(replayed.size(), kEvents - kSnapshotAt);
  EXPECT_EQ(replayed.front(), kSnapshotAt + 1);
  EXPECT_EQ((*log)->durable_head(), uint64_t{kEvents});

  for (uint64_t after : {uint64_t{0}, uint64_t{17}, kSnapshotAt - 1}) {
    std::vector<bank::v1::Event> events;
    ASSERT_TRUE((*log)->ReadAfter(after, kEvents, &events).ok());
    ASSERT_EQ(events.size(), kEvents - after);
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].position(), after + 1 + i);
      EXPECT_EQ(events[i].deposited().amount(), static_cast<int64_t>(after + 1 + i));
    }
  }
  // And the log goes on from its head as always.
  auto appended = bank::testing::AppendAndWait(**log, bank::testing::DepositEvent("a0", 35, 7));
  EXPECT_EQ(appended.value_or(0), uint64_t{kEvents + 1});
}

TEST(UnreadSegmentTest, DamageInAnUnreadSegmentIsDataLossWhenReadNotAtStartUp) {
  const std::string dir = WrittenLog("unread_damage");
  DamageFirstSegment(dir);
  auto log = OpenAfterSnapshot(dir);
  ASSERT_TRUE(log.ok()) << "the snapshot holds the damaged segment's events: " << log.status();

  std::vector<bank::v1::Event> events;
  absl::Status read = (*log)->ReadAfter(0, kEvents, &events);
  EXPECT_EQ(read.code(), absl::StatusCode::kDataLoss) << read;
  EXPECT_TRUE(absl::StrContains(read.message(), "damaged record in " + SegmentPaths(dir).at(0)))
      << read;
  events.clear();
  EXPECT_TRUE((*log)->ReadAfter(kSnapshotAt, kEvents, &events).ok()) << "later segments read";
  EXPECT_EQ(events.size(), kEvents - kSnapshotAt);

  // Without a snapshot start-up reads every segment, and refuses.
  log->reset();
  EXPECT_EQ(bank::testing::OpenLog(dir, nullptr, kSegmentBytes).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(UnreadSegmentTest, AMissingSegmentBeforeTheSnapshotIsDataLossWhenRead) {
  const std::string dir = WrittenLog("unread_missing");
  const std::vector<std::string> segments = SegmentPaths(dir);
  std::filesystem::remove(segments.at(1));
  auto log = OpenAfterSnapshot(dir);
  ASSERT_TRUE(log.ok()) << log.status();

  std::vector<bank::v1::Event> events;
  absl::Status read = (*log)->ReadAfter(0, kEvents, &events);
  EXPECT_EQ(read.code(), absl::StatusCode::kDataLoss) << read;
  EXPECT_TRUE(absl::StrContains(read.message(), "a segment is missing or misnamed")) << read;
}

TEST(UnreadSegmentTest, PlaceOfNamesTheRecordThatEndsAtTheCut) {
  const std::string dir = FreshDir("unread_place_of");
  {
    auto log = bank::testing::OpenLog(dir, nullptr, kSegmentBytes);
    ASSERT_TRUE(log.ok()) << log.status();
    for (uint64_t i = 0; i < 20; ++i) {
      ASSERT_TRUE(
          bank::testing::AppendAndWait(**log, bank::testing::DepositEvent("a", 2 * i + 1, 9)).ok());
      ASSERT_TRUE(bank::testing::AppendGroupAndWait(
                      **log, bank::testing::TransferEvents("a", 2 * i + 2, "b", i + 1, 4, "", 0))
                      .ok());
    }
  }
  // A deposit's record, then a transfer's group record of two events: a
  // start-up from a cut at the end of either hands over exactly the events
  // after it, whatever segment the cut is in.
  for (uint64_t position = 1; position <= 60; position += position % 3 == 1 ? 2 : 1) {
    const SnapshotCut cut = CutAt(dir, position);
    ASSERT_NE(cut.last_record.segment_base, 0u);
    ASSERT_LE(cut.last_record.segment_base, position);
    std::vector<uint64_t> replayed;
    auto log = OpenAfterSnapshot(dir, &replayed, cut);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ(replayed.size(), 60 - position) << "cut at " << position;
    if (!replayed.empty()) {
      EXPECT_EQ(replayed.front(), position + 1);
    }
    ExpectEveryEventReadsBack(**log, 60);
  }
  auto log = OpenAfterSnapshot(dir, nullptr, {});
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->PlaceOf(2)->offset, (*log)->PlaceOf(3)->offset) << "one group, one record";
  EXPECT_EQ((*log)->PlaceOf(61).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(UnreadSegmentTest, TheCutsSegmentIsReadFromTheRecordAfterTheCut) {
  const std::string dir = WrittenLog("unread_cut_segment");
  const SnapshotCut cut = CutAt(dir, kSnapshotAt);
  DamageCutSegmentsFirstRecord(dir, cut);
  std::vector<uint64_t> replayed;
  auto log = OpenAfterSnapshot(dir, &replayed, cut);
  ASSERT_TRUE(log.ok()) << "the snapshot holds the damaged record's event: " << log.status();
  ASSERT_EQ(replayed.size(), kEvents - kSnapshotAt);
  EXPECT_EQ(replayed.front(), kSnapshotAt + 1);

  std::vector<bank::v1::Event> events;
  EXPECT_TRUE((*log)->ReadAfter(kSnapshotAt, kEvents, &events).ok()) << "after the cut reads";
  EXPECT_EQ(events.size(), kEvents - kSnapshotAt);
  events.clear();
  absl::Status read = (*log)->ReadAfter(kSnapshotAt - 1, kEvents, &events);
  EXPECT_EQ(read.code(), absl::StatusCode::kDataLoss) << read;
  EXPECT_TRUE(absl::StrContains(read.message(), "damaged record in " + dir + "/" +
                                                    SegmentFileName(cut.last_record.segment_base)))
      << read;

  // Without the snapshot's place, start-up reads that segment whole, and
  // refuses.
  log->reset();
  EXPECT_EQ(OpenAfterSnapshot(dir).status().code(), absl::StatusCode::kDataLoss);
}

TEST(UnreadSegmentTest, EveryEventReadsBackFromALogOpenedAtACut) {
  const std::string dir = WrittenLog("unread_cut_reads_back");
  auto log = OpenAfterSnapshot(dir, nullptr, CutAt(dir, kSnapshotAt));
  ASSERT_TRUE(log.ok()) << log.status();
  ExpectEveryEventReadsBack(**log, kEvents);
  auto appended = bank::testing::AppendAndWait(**log, bank::testing::DepositEvent("a0", 35, 7));
  EXPECT_EQ(appended.value_or(0), uint64_t{kEvents + 1});
}

TEST(UnreadSegmentTest, ACutAtTheHeadReadsNothingAndTheAppendsAfterItReadBack) {
  const std::string dir = WrittenLog("unread_cut_at_head");
  std::vector<uint64_t> replayed;
  auto log = OpenAfterSnapshot(dir, &replayed, CutAt(dir, kEvents));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(replayed.empty());
  EXPECT_EQ((*log)->durable_head(), uint64_t{kEvents});
  // The appends go after the cut's record, in a segment whose index holds
  // nothing after it yet.
  for (uint64_t version = 35; version < 40; ++version) {
    auto appended =
        bank::testing::AppendAndWait(**log, bank::testing::DepositEvent("a0", version, 7));
    ASSERT_TRUE(appended.ok()) << appended.status();
    std::vector<bank::v1::Event> events;
    ASSERT_TRUE((*log)->ReadAfter(*appended - 1, 1, &events).ok());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].position(), *appended);
  }
  ExpectEveryEventReadsBack(**log, kEvents + 5);
}

TEST(UnreadSegmentTest, APlaceWithoutTheCutsRecordIsIgnoredAndTheSegmentReadWhole) {
  const std::string dir = WrittenLog("unread_wrong_place");
  SnapshotCut cut = CutAt(dir, kSnapshotAt);
  const RecordPlace right = cut.last_record;
  for (const RecordPlace wrong :
       {RecordPlace{right.segment_base, right.offset + 1}, CutAt(dir, kSnapshotAt - 1).last_record,
        RecordPlace{right.segment_base, 1 << 20}}) {
    cut.last_record = wrong;
    std::vector<uint64_t> replayed;
    auto log = OpenAfterSnapshot(dir, &replayed, cut);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ(replayed.size(), kEvents - kSnapshotAt);
    EXPECT_EQ(replayed.front(), kSnapshotAt + 1);
    ExpectEveryEventReadsBack(**log, kEvents);
  }
}

TEST(UnreadSegmentTest, ReadersRacingToAnUnreadSegmentAllReadTheSameEvents) {
  const std::string dir = WrittenLog("unread_racing");
  auto log = OpenAfterSnapshot(dir);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::vector<bank::v1::Event>> read(8);
  std::vector<absl::Status> statuses(read.size());
  {
    std::vector<std::jthread> readers;
    for (size_t i = 0; i < read.size(); ++i) {
      readers.emplace_back([&, i] { statuses[i] = (*log)->ReadAfter(i, kEvents, &read[i]); });
    }
  }
  for (size_t i = 0; i < read.size(); ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i];
    ASSERT_EQ(read[i].size(), kEvents - i);
    EXPECT_EQ(read[i].front().position(), i + 1);
  }
}

}  // namespace
}  // namespace bank::log
