#ifndef BANK_TESTS_COMMAND_LOG_TEST_UTIL_H_
#define BANK_TESTS_COMMAND_LOG_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/record_codec.h"
#include "command-service/store/file/segment.h"

namespace bank::testing {

// A fresh, empty directory under the test's temp dir.
inline std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/" + name + "." + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Segments are preallocated to their full size; tests keep them small so that
// reading a whole file stays cheap.
inline constexpr uint64_t kTestSegmentBytes = 1 << 20;

// Where the records of a segment file end: a preallocated segment runs on in
// zeros after its last record (whose last byte is never zero).
inline size_t RecordsEnd(const std::string& path) {
  const std::string bytes = ReadFile(path);
  const size_t last = bytes.find_last_not_of('\0');
  return last == std::string::npos ? 0 : last + 1;
}

// The segment files of `dir`, in position order.
inline std::vector<std::string> SegmentPaths(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// One record to frame by hand: any type, position and payload.
struct RawRecord {
  log::RecordType type;
  uint64_t position;
  std::string payload;
};

// Writes the segment of `dir` based at `base` holding `records`, each framed
// with a good checksum (so only what lies behind the checksum is wrong, if
// anything); returns the file's bytes.
inline std::string WriteSegment(const std::string& dir, uint64_t base,
                                const std::vector<RawRecord>& records) {
  std::string bytes = log::EncodeSegmentHeader(base);
  for (const RawRecord& record : records) {
    log::AppendRecord(record.type, record.position, record.payload, &bytes);
  }
  WriteFile(dir + "/" + log::SegmentFileName(base), bytes);
  return bytes;
}

// A deposit event. `position` is 0 (unset) for one about to be appended,
// which the log numbers itself; a test replaying events by hand sets it.
inline bank::v1::Event DepositEvent(const std::string& account, uint64_t version, int64_t amount,
                                    const std::string& command_id = "", uint64_t position = 0) {
  bank::v1::Event event;
  event.set_position(position);
  event.set_account_id(account);
  event.set_version(version);
  event.set_command_id(command_id);
  event.mutable_deposited()->set_amount(amount);
  return event;
}

// A transfer's two events, replayed by hand: out of `from` at `position` and
// into `to` at the next, both carrying `command_id`.
inline std::vector<bank::v1::Event> TransferEvents(const std::string& from, uint64_t from_version,
                                                   const std::string& to, uint64_t to_version,
                                                   int64_t amount, const std::string& command_id,
                                                   uint64_t position) {
  std::vector<bank::v1::Event> legs(2);
  legs[0].set_position(position);
  legs[0].set_account_id(from);
  legs[0].set_version(from_version);
  legs[0].set_command_id(command_id);
  legs[0].mutable_transferred_out()->set_amount(amount);
  legs[0].mutable_transferred_out()->set_to_account_id(to);
  legs[1].set_position(position + 1);
  legs[1].set_account_id(to);
  legs[1].set_version(to_version);
  legs[1].set_command_id(command_id);
  legs[1].mutable_transferred_in()->set_amount(amount);
  legs[1].mutable_transferred_in()->set_from_account_id(from);
  return legs;
}

// Opens the log in `dir`, collecting the recovered events.
inline absl::StatusOr<std::unique_ptr<log::EventLog>> OpenLog(
    const std::string& dir, std::vector<bank::v1::Event>* recovered = nullptr,
    uint64_t segment_bytes = kTestSegmentBytes, log::FileOps ops = log::FileOps::Posix()) {
  return log::EventLog::Open(
      {.dir = dir, .segment_bytes = segment_bytes, .index_every = 4, .file_ops = std::move(ops)},
      [recovered](const bank::v1::Event& event) {
        if (recovered != nullptr) recovered->push_back(event);
        return absl::OkStatus();
      });
}

// Appends `group` and waits until durable; returns the position of its first
// event or the error.
inline absl::StatusOr<uint64_t> AppendGroupAndWait(EventStore& store,
                                                   std::vector<bank::v1::Event> group) {
  std::promise<absl::StatusOr<uint64_t>> done;
  store.Append(std::move(group),
               [&done](absl::StatusOr<uint64_t> position) { done.set_value(position); });
  store.Commit();
  return done.get_future().get();
}

inline absl::StatusOr<uint64_t> AppendAndWait(EventStore& store, bank::v1::Event event) {
  return AppendGroupAndWait(store, {std::move(event)});
}

// Writes `count` deposits of 1, 2, 3 ... on accounts a0..a2 and closes the log.
inline void WriteEvents(const std::string& dir, int count,
                        uint64_t segment_bytes = kTestSegmentBytes) {
  auto log = OpenLog(dir, nullptr, segment_bytes);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<uint64_t> versions(3, 0);
  for (int i = 0; i < count; ++i) {
    auto position =
        AppendAndWait(**log, DepositEvent("a" + std::to_string(i % 3), ++versions[i % 3], i + 1));
    ASSERT_TRUE(position.ok()) << position.status();
    ASSERT_EQ(*position, static_cast<uint64_t>(i + 1));
  }
}

}  // namespace bank::testing

#endif  // BANK_TESTS_COMMAND_LOG_TEST_UTIL_H_
