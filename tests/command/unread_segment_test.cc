// Start-up from a snapshot leaves the sealed segments the snapshot holds
// unread: each is checked and indexed on its first read instead, with the
// same judgement start-up would have given it.

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

// Opens the log in `dir` as start-up from a snapshot at kSnapshotAt would,
// collecting the events it hands over.
absl::StatusOr<std::unique_ptr<EventLog>> OpenAfterSnapshot(
    const std::string& dir, std::vector<uint64_t>* replayed = nullptr) {
  return EventLog::Open(
      {.dir = dir, .segment_bytes = kSegmentBytes, .index_every = 2},
      [replayed](const bank::v1::Event& event) {
        if (replayed != nullptr) replayed->push_back(event.position());
        return absl::OkStatus();
      },
      kSnapshotAt);
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
  EXPECT_TRUE(absl::StrContains(read.message(),
                                "damaged record in sealed segment " + SegmentPaths(dir).at(0)))
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
