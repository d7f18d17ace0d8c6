#include "command-service/store/file/event_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <set>
#include <thread>

#include "command-service/store/file/log_format.h"
#include "command-service/store/file/segment.h"
#include "tests/command/log_test_util.h"

namespace bank::log {
namespace {

using ::bank::testing::AppendAndWait;
using ::bank::testing::DepositEvent;
using ::bank::testing::FreshDir;
using ::bank::testing::kTestSegmentBytes;
using ::bank::testing::OpenLog;
using ::bank::testing::ReadFile;
using ::bank::testing::RecordsEnd;
using ::bank::testing::SegmentPaths;
using ::bank::testing::WriteEvents;
using ::bank::testing::WriteFile;

TEST(EventLogTest, RoundTripAcrossReopen) {
  const std::string dir = FreshDir("roundtrip");
  WriteEvents(dir, 10);
  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(recovered.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(recovered[i].position(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(recovered[i].deposited().amount(), i + 1);
    EXPECT_TRUE(recovered[i].has_recorded_at());
  }
  EXPECT_EQ((*log)->durable_head(), 10u);
  std::vector<bank::v1::Event> read;
  ASSERT_TRUE((*log)->ReadAfter(0, 100, &read).ok());
  ASSERT_EQ(read.size(), 10u);
  EXPECT_EQ(read[9].SerializeAsString(), recovered[9].SerializeAsString());
}

TEST(EventLogTest, ReopenAndAppendContinuesPositions) {
  const std::string dir = FreshDir("reopen");
  WriteEvents(dir, 3);
  auto log = OpenLog(dir);
  ASSERT_TRUE(log.ok());
  auto position = AppendAndWait(**log, DepositEvent("b", 1, 5));
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, 4u);
}

TEST(EventLogTest, RollsSegmentsAndReadsAcrossThemFromAnyPosition) {
  const std::string dir = FreshDir("roll");
  WriteEvents(dir, 200, /*segment_bytes=*/1024);
  const std::vector<std::string> segments = SegmentPaths(dir);
  ASSERT_GT(segments.size(), 5u);
  EXPECT_EQ(std::filesystem::path(segments[0]).filename(), "00000000000000000001.log");
  for (const std::string& path : segments) {
    EXPECT_LE(std::filesystem::file_size(path), 1024u + 100u);
  }
  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered, 1024);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(recovered.size(), 200u);
  // Every starting point, across index entries and segment boundaries.
  for (uint64_t after = 0; after < 200; ++after) {
    std::vector<bank::v1::Event> read;
    ASSERT_TRUE((*log)->ReadAfter(after, 7, &read).ok());
    ASSERT_EQ(read.size(), std::min<uint64_t>(7, 200 - after)) << after;
    for (size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i].position(), after + 1 + i);
  }
  std::vector<bank::v1::Event> none;
  ASSERT_TRUE((*log)->ReadAfter(200, 7, &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST(EventLogTest, ActiveSegmentIsPreallocatedAndSealedSegmentsEndAtTheirLastRecord) {
  const std::string dir = FreshDir("prealloc");
  WriteEvents(dir, 200, /*segment_bytes=*/1024);
  const std::vector<std::string> segments = SegmentPaths(dir);
  ASSERT_GT(segments.size(), 5u);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    EXPECT_EQ(std::filesystem::file_size(segments[i]), RecordsEnd(segments[i])) << segments[i];
  }
  EXPECT_EQ(std::filesystem::file_size(segments.back()), 1024u);
  EXPECT_LT(RecordsEnd(segments.back()), 1024u);
  // Reopening reads the zeros after the last record as unused space: nothing
  // is cut, and appends go on where the records end.
  const size_t end = RecordsEnd(segments.back());
  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered, 1024);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(recovered.size(), 200u);
  EXPECT_EQ(RecordsEnd(segments.back()), end);
  EXPECT_EQ(std::filesystem::file_size(segments.back()), 1024u);
  auto position = AppendAndWait(**log, DepositEvent("b", 1, 5));
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(*position, 201u);
}

TEST(EventLogTest, TornWriteInsidePreallocatedSpaceIsCut) {
  const std::string dir = FreshDir("torn_prealloc");
  WriteEvents(dir, 3);
  const std::string path = SegmentPaths(dir).at(0);
  const size_t end = RecordsEnd(path);
  // A record's first 10 bytes reached the disk before the crash; the size of
  // the preallocated file does not tell where writing stopped.
  std::string bytes = ReadFile(path);
  const std::string record = bytes.substr(end - 40, 10);
  bytes.replace(end, record.size(), record);
  WriteFile(path, bytes);
  std::vector<bank::v1::Event> recovered;
  auto log = OpenLog(dir, &recovered);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(recovered.size(), 3u);
  EXPECT_EQ(RecordsEnd(path), end);
}

TEST(EventLogTest, ZeroedRecordBeforeOthersIsDataLossNotTheEndOfTheLog) {
  const std::string dir = FreshDir("zeroed");
  WriteEvents(dir, 5);
  const std::string path = SegmentPaths(dir).at(0);
  std::string bytes = ReadFile(path);
  // Zero the second record's header, as a lost disk write could.
  const size_t second = kSegmentHeaderSize + kRecordHeaderSize +
                        (static_cast<uint8_t>(bytes[kSegmentHeaderSize + 4]) |
                         static_cast<uint8_t>(bytes[kSegmentHeaderSize + 5]) << 8);
  std::fill(bytes.begin() + second, bytes.begin() + second + kRecordHeaderSize, '\0');
  WriteFile(path, bytes);
  auto log = OpenLog(dir);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
  EXPECT_EQ(ReadFile(path), bytes) << "the log was changed";
}

TEST(EventLogTest, EveryTruncationInsideTheLastRecordRecoversToTheRecordBefore) {
  const std::string dir = FreshDir("truncate");
  WriteEvents(dir, 2);
  const std::string path = SegmentPaths(dir).at(0);
  // The last record starts where the same log ended with two. (Not a separate
  // log of two: recorded_at's encoded size depends on the clock.)
  const size_t last_record_start = RecordsEnd(path);
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(AppendAndWait(**log, DepositEvent("a2", 1, 3)).ok());
  }
  const std::string full = ReadFile(path).substr(0, RecordsEnd(path));
  std::vector<bank::v1::Event> three;
  {
    auto log = OpenLog(dir, &three);
    ASSERT_TRUE(log.ok());
  }
  ASSERT_EQ(three.size(), 3u);
  for (size_t cut = last_record_start; cut < full.size(); ++cut) {
    WriteFile(path, full.substr(0, cut));
    std::vector<bank::v1::Event> recovered;
    auto log = OpenLog(dir, &recovered);
    ASSERT_TRUE(log.ok()) << "cut at " << cut << ": " << log.status();
    EXPECT_EQ(recovered.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(RecordsEnd(path), last_record_start) << "cut at " << cut;
    // The log goes on from position 3 after the cut.
    auto position = AppendAndWait(**log, DepositEvent("a2", 1, 3));
    ASSERT_TRUE(position.ok());
    EXPECT_EQ(*position, 3u);
  }
}

TEST(EventLogTest, EveryTruncationOfASegmentHeaderIsATornCreation) {
  const std::string dir = FreshDir("torn_header");
  WriteEvents(dir, 2);
  const std::string first = SegmentPaths(dir).at(0);
  const std::string second = dir + "/" + SegmentFileName(3);
  const std::string header = EncodeSegmentHeader(3);
  for (size_t cut = 0; cut < header.size(); ++cut) {
    // A roll seals the active segment before it creates the next one (and
    // each open below preallocates it again as the active one).
    std::filesystem::resize_file(first, RecordsEnd(first));
    WriteFile(second, header.substr(0, cut));
    std::vector<bank::v1::Event> recovered;
    auto log = OpenLog(dir, &recovered);
    ASSERT_TRUE(log.ok()) << "cut at " << cut << ": " << log.status();
    EXPECT_EQ(recovered.size(), 2u);
    EXPECT_FALSE(std::filesystem::exists(second));
  }
}

TEST(EventLogTest, FlippedBitInAnEarlierRecordRefusesToOpenAndChangesNothing) {
  const std::string dir = FreshDir("bitflip");
  WriteEvents(dir, 5);
  const std::string path = SegmentPaths(dir).at(0);
  std::string bytes = ReadFile(path);
  bytes[kSegmentHeaderSize + kRecordHeaderSize + 2] ^= 0x10;  // inside record 1's payload
  WriteFile(path, bytes);
  auto log = OpenLog(dir);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
  EXPECT_EQ(ReadFile(path), bytes);
}

TEST(EventLogTest, DamageInASealedSegmentRefusesToOpen) {
  const std::string dir = FreshDir("sealed");
  WriteEvents(dir, 60, /*segment_bytes=*/1024);
  const std::string path = SegmentPaths(dir).at(0);
  std::string bytes = ReadFile(path);
  bytes[bytes.size() - 3] ^= 0x01;  // the last record of a sealed segment
  WriteFile(path, bytes);
  auto log = OpenLog(dir, nullptr, 1024);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
}

TEST(EventLogTest, MissingSegmentIsDataLoss) {
  const std::string dir = FreshDir("missing");
  WriteEvents(dir, 60, /*segment_bytes=*/1024);
  std::filesystem::remove(SegmentPaths(dir).at(1));
  auto log = OpenLog(dir, nullptr, 1024);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
}

TEST(EventLogTest, GroupCommitCompletesQueuedAppendsInPositionOrder) {
  const std::string dir = FreshDir("group");
  auto log = OpenLog(dir);
  ASSERT_TRUE(log.ok());
  constexpr int kAppends = 2000;
  std::vector<std::promise<absl::StatusOr<uint64_t>>> done(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    (*log)->Append({DepositEvent("acc" + std::to_string(i), 1, 1)},
                   [&done, i](absl::StatusOr<uint64_t> position) { done[i].set_value(position); });
  }
  EXPECT_EQ((*log)->durable_head(), 0u);  // Append only queues
  (*log)->Commit();
  for (int i = 0; i < kAppends; ++i) {
    auto position = done[i].get_future().get();
    ASSERT_TRUE(position.ok());
    EXPECT_EQ(*position, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ((*log)->durable_head(), static_cast<uint64_t>(kAppends));
}

// An fdatasync for FileOps that, once armed (after opening, which syncs the
// first segment), holds the first sync until Release() and counts them all.
class HeldFirstSync {
 public:
  HeldFirstSync() : released_(release_.get_future().share()) {
    ops_.fdatasync = [this](int fd) {
      if (armed_ && syncs_.fetch_add(1) == 0) {
        held_.set_value();
        released_.wait();
      }
      return ::fdatasync(fd);
    };
  }
  const FileOps& ops() const { return ops_; }
  void Arm() { armed_ = true; }
  void WaitUntilHeld() { held_.get_future().wait(); }
  void Release() { release_.set_value(); }
  int syncs() const { return syncs_.load(); }

 private:
  FileOps ops_ = FileOps::Posix();
  std::promise<void> held_;
  std::promise<void> release_;
  std::shared_future<void> released_;
  std::atomic<bool> armed_{false};
  std::atomic<int> syncs_{0};
};

// Leader/follower: a Commit while another thread commits returns at once, and
// that thread commits the follower's appends in its next group.
TEST(EventLogTest, ACommitDuringAnotherThreadsCommitIsTakenOverByThatThread) {
  const std::string dir = FreshDir("follower");
  HeldFirstSync sync;
  auto log = OpenLog(dir, nullptr, kTestSegmentBytes, sync.ops());
  ASSERT_TRUE(log.ok());
  sync.Arm();

  std::thread::id leader_thread;
  std::thread leader([&] {
    leader_thread = std::this_thread::get_id();
    (*log)->Append({DepositEvent("a", 1, 1)}, [](absl::StatusOr<uint64_t>) {});
    (*log)->Commit();
  });
  sync.WaitUntilHeld();  // the leader is inside its sync

  constexpr int kFollowers = 10;
  std::vector<std::thread::id> answered_on(kFollowers);
  std::vector<absl::StatusOr<uint64_t>> positions(kFollowers);
  for (int i = 0; i < kFollowers; ++i) {
    (*log)->Append({DepositEvent("b", i + 1, 1)},
                   [&answered_on, &positions, i](absl::StatusOr<uint64_t> position) {
                     answered_on[i] = std::this_thread::get_id();
                     positions[i] = position;
                   });
  }
  (*log)->Commit();  // returns at once: the leader holds the committer role
  EXPECT_EQ((*log)->durable_head(), 0u);

  sync.Release();
  leader.join();
  EXPECT_EQ((*log)->durable_head(), static_cast<uint64_t>(1 + kFollowers));
  EXPECT_EQ(sync.syncs(), 2);  // the leader's group, then the followers' as one
  for (int i = 0; i < kFollowers; ++i) {
    ASSERT_TRUE(positions[i].ok()) << positions[i].status();
    EXPECT_EQ(*positions[i], static_cast<uint64_t>(i + 2));
    EXPECT_EQ(answered_on[i], leader_thread);
  }
}

TEST(EventLogTest, FailedSyncIsStickyAndNothingAfterItIsAcknowledged) {
  const std::string dir = FreshDir("sticky");
  std::atomic<bool> fail{false};
  FileOps ops = FileOps::Posix();
  ops.fdatasync = [&fail](int fd) {
    if (fail) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto log = OpenLog(dir, nullptr, kTestSegmentBytes, ops);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(AppendAndWait(**log, DepositEvent("a", 1, 1)).ok());
  fail = true;
  auto failed = AppendAndWait(**log, DepositEvent("a", 2, 1));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  fail = false;  // the disk "recovers", but the log must not trust it
  auto after = AppendAndWait(**log, DepositEvent("a", 2, 1));
  EXPECT_FALSE(after.ok());
  EXPECT_FALSE((*log)->health().ok());
  EXPECT_EQ((*log)->durable_head(), 1u);
  log->reset();
  std::vector<bank::v1::Event> recovered;
  ASSERT_TRUE(OpenLog(dir, &recovered).ok());
  EXPECT_EQ(recovered.size(), 1u);
}

TEST(EventLogTest, AcknowledgedIsExactlyWhatIsOnDiskWhenASyncFailsMidBatch) {
  const std::string dir = FreshDir("midbatch");
  std::atomic<int> syncs_left{-1};  // negative: never fail
  FileOps ops = FileOps::Posix();
  ops.fdatasync = [&syncs_left](int fd) {
    if (syncs_left.fetch_sub(1) == 0) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  // Small segments: a batch spans several, each roll syncs what came before.
  auto log = OpenLog(dir, nullptr, /*segment_bytes=*/256, ops);
  ASSERT_TRUE(log.ok());
  syncs_left = 7;
  constexpr int kAppends = 40;
  std::vector<std::promise<absl::StatusOr<uint64_t>>> done(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    (*log)->Append({DepositEvent("acc" + std::to_string(i), 1, 1)},
                   [&done, i](absl::StatusOr<uint64_t> position) { done[i].set_value(position); });
  }
  (*log)->Commit();  // one group, spanning several segments
  std::set<uint64_t> acknowledged;
  for (auto& result : done) {
    auto position = result.get_future().get();
    if (position.ok()) acknowledged.insert(*position);
  }
  EXPECT_FALSE((*log)->health().ok());
  log->reset();
  std::vector<bank::v1::Event> recovered;
  ASSERT_TRUE(OpenLog(dir, &recovered, 256).ok());
  std::set<uint64_t> on_disk;
  for (const bank::v1::Event& event : recovered) on_disk.insert(event.position());
  EXPECT_EQ(acknowledged, on_disk);
  EXPECT_FALSE(acknowledged.empty());
  EXPECT_LT(acknowledged.size(), static_cast<size_t>(kAppends));
}

TEST(EventLogTest, DiskFullIsResourceExhaustedAndLeavesNoPartialRecord) {
  const std::string dir = FreshDir("enospc");
  std::atomic<bool> full{false};
  FileOps ops = FileOps::Posix();
  ops.pwrite = [&full](int fd, const void* data, size_t size, off_t offset) -> ssize_t {
    if (full) {
      // Half the bytes fit, then the disk is full.
      if (size > 8) return ::pwrite(fd, data, size / 2, offset);
      errno = ENOSPC;
      return -1;
    }
    return ::pwrite(fd, data, size, offset);
  };
  auto log = OpenLog(dir, nullptr, kTestSegmentBytes, ops);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(AppendAndWait(**log, DepositEvent("a", 1, 1)).ok());
  const uint64_t good_end = RecordsEnd(SegmentPaths(dir).at(0));
  full = true;
  auto failed = AppendAndWait(**log, DepositEvent("a", 2, 1));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted) << failed.status();
  EXPECT_EQ(RecordsEnd(SegmentPaths(dir).at(0)), good_end);
}

TEST(EventLogTest, ReadersNeverSeeEventsBeyondTheDurableHead) {
  const std::string dir = FreshDir("durable_only");
  HeldFirstSync sync;
  auto log = OpenLog(dir, nullptr, kTestSegmentBytes, sync.ops());
  ASSERT_TRUE(log.ok());
  sync.Arm();
  std::promise<absl::StatusOr<uint64_t>> done;
  (*log)->Append({DepositEvent("a", 1, 1)},
                 [&done](absl::StatusOr<uint64_t> position) { done.set_value(position); });
  std::thread committer([&] { (*log)->Commit(); });
  sync.WaitUntilHeld();  // written, not yet synced
  std::vector<bank::v1::Event> read;
  ASSERT_TRUE((*log)->ReadAfter(0, 10, &read).ok());
  EXPECT_TRUE(read.empty());
  EXPECT_EQ((*log)->durable_head(), 0u);
  sync.Release();
  committer.join();
  ASSERT_TRUE(done.get_future().get().ok());
  ASSERT_TRUE((*log)->ReadAfter(0, 10, &read).ok());
  EXPECT_EQ(read.size(), 1u);
}

}  // namespace
}  // namespace bank::log
