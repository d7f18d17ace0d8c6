// libFuzzer target: EventLog::Open (RecoverLog with the command service's own
// AccountBook visitor) over a fuzzed log directory. Open must return OK,
// DATA_LOSS or FAILED_PRECONDITION; after OK every recovered event reads back
// with ReadAfter, and the log takes a new append that the next Open recovers.
//
// The input is one of: a raw segment file; a valid header and raw bytes; or a
// script of records framed with valid checksums (events, groups of events,
// skippable and unknown types, segment rolls), then damaged - so both the checksum layer
// and what lies behind it are reached.

#include <fuzzer/FuzzedDataProvider.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bank/v1/event.pb.h"
#include "command-service/recovered_state.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/log_format.h"
#include "command-service/store/file/record_codec.h"
#include "command-service/store/file/segment.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_check.h"

namespace bank::log {
namespace {

using ::bank::fuzz::Check;

std::string& Root() {
  static std::string root;
  return root;
}

// Segment files by base position, in the order they are written.
using Files = std::map<uint64_t, std::string>;

constexpr const char* kAccounts[] = {"a", "b", "c:1"};

// The event at `next` (then advanced past it) on one of kAccounts, consistent
// unless the op's high bits say otherwise.
bank::v1::Event ScriptedEvent(FuzzedDataProvider& input, uint8_t op, uint64_t& next,
                              std::map<std::string, uint64_t>& versions) {
  bank::v1::Event event;
  const std::string account = kAccounts[input.ConsumeIntegralInRange<size_t>(0, 2)];
  uint64_t& version = versions[account];
  event.set_position(op & 0x80 ? next + input.ConsumeIntegral<int8_t>() : next);
  event.set_account_id(account);
  event.set_version(op & 0x40 ? input.ConsumeIntegral<uint64_t>() : ++version);
  if (op & 0x20) event.set_command_id(kAccounts[input.ConsumeIntegralInRange<size_t>(0, 2)]);
  const int64_t amount =
      op & 0x10 ? input.ConsumeIntegral<int64_t>() : input.ConsumeIntegralInRange<int64_t>(1, 1000);
  if (op & 0x08) {
    event.mutable_withdrawn()->set_amount(amount);
  } else {
    event.mutable_deposited()->set_amount(amount);
  }
  next = event.position() + 1;
  return event;
}

// Builds a log from a script of records, each framed with a good checksum.
Files ScriptedLog(FuzzedDataProvider& input) {
  Files files;
  uint64_t base = 1;
  std::string* segment = &files[base];
  *segment = EncodeSegmentHeader(base);
  uint64_t next = 1;
  std::map<std::string, uint64_t> versions;
  while (input.remaining_bytes() > 0) {
    const uint8_t op = input.ConsumeIntegral<uint8_t>();
    switch (op % 8) {
      case 0: {  // roll, sometimes with a header that disagrees with the name
        base = next;
        segment = &files[base];
        const uint64_t header_base = op & 0x80 ? base + input.ConsumeIntegral<int8_t>() : base;
        *segment = EncodeSegmentHeader(header_base);
        break;
      }
      case 1:  // a record a newer release may add and this one must skip
        AppendRecord(static_cast<RecordType>(kSkippableTypeBit | input.ConsumeIntegral<uint8_t>()),
                     input.ConsumeIntegral<uint64_t>(), input.ConsumeRandomLengthString(32),
                     segment);
        break;
      case 2: {  // any type, position and payload
        const auto type = static_cast<RecordType>(input.ConsumeIntegral<uint8_t>());
        const uint64_t position = op & 0x80 ? next : input.ConsumeIntegral<uint64_t>();
        AppendRecord(type, position, input.ConsumeRandomLengthString(64), segment);
        next = position + 1;
        break;
      }
      case 3: {  // a group of two or three events, consistent unless the op says otherwise
        std::vector<std::string> events;
        std::vector<store::StoredPayload> members;
        const uint64_t first = next;
        for (int i = 0; i < 2 + (op & 0x04 ? 1 : 0); ++i) {
          events.push_back(ScriptedEvent(input, op, next, versions).SerializeAsString());
        }
        for (const std::string& event : events) {
          members.push_back({.schema_version = store::kCurrentSchemaVersion,
                             .position = 0,
                             .payload = event,
                             .group_end = 0});
        }
        AppendRecord(RecordType::kEventGroup, first, EncodeGroupPayload(members), segment);
        break;
      }
      default: {
        const bank::v1::Event event = ScriptedEvent(input, op, next, versions);
        AppendRecord(RecordType::kEventV1, event.position(), event.SerializeAsString(), segment);
      }
    }
  }
  return files;
}

// Damages the scripted log the way a crash or a bad disk would.
void Damage(FuzzedDataProvider& input, Files& files) {
  const uint8_t how = input.ConsumeIntegral<uint8_t>();
  std::string& last = files.rbegin()->second;
  const size_t at = input.ConsumeIntegral<uint32_t>();
  switch (how % 4) {
    case 0:  // a torn tail
      last.resize(last.size() - at % (last.size() + 1));
      break;
    case 1: {  // a flipped bit anywhere
      auto it = files.begin();
      std::advance(it, how / 4 % files.size());
      std::string& bytes = it->second;
      if (!bytes.empty()) bytes[at / 8 % bytes.size()] ^= static_cast<char>(1 << (at % 8));
      break;
    }
    case 2:  // garbage after the end
      last += input.ConsumeRandomLengthString(64);
      break;
    default:
      break;
  }
}

Files BuildLog(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const uint8_t mode = input.ConsumeIntegral<uint8_t>();
  Files files;
  switch (mode % 4) {
    case 0:
      files[1] = input.ConsumeRemainingBytesAsString();
      break;
    case 1:
      files[1] = EncodeSegmentHeader(1) + input.ConsumeRemainingBytesAsString();
      break;
    default: {
      // The damage comes from the end of the input, so the script keeps its shape.
      const size_t tail = std::min<size_t>(size - 1, 8);
      FuzzedDataProvider script(data + 1, size - 1 - tail);
      files = ScriptedLog(script);
      FuzzedDataProvider damage(data + size - tail, tail);
      Damage(damage, files);
    }
  }
  return files;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Check(out.good(), "write a segment file");
}

// Opens the log as the service does, keeping the recovered events.
absl::StatusOr<command::RecoveredState> Open(const std::string& dir,
                                             std::vector<bank::v1::Event>* events) {
  return command::RecoverState(
      {.dir = dir, .segment_bytes = 4096, .index_every = 2}, command::kMinCommandRetention,
      [events](const bank::v1::Event& event) { events->push_back(event); });
}

void CheckRecoveredLog(const std::string& dir, command::RecoveredState state,
                       const std::vector<bank::v1::Event>& recovered) {
  std::unique_ptr<EventLog>& log = state.log;
  const uint64_t head = recovered.size();
  Check(log->durable_head() == head, "the head is the number of recovered events");
  for (uint64_t i = 0; i < head; ++i) {
    Check(recovered[i].position() == i + 1, "recovered positions are dense");
  }
  for (uint64_t after : {uint64_t{0}, head / 2, head}) {
    std::vector<bank::v1::Event> read;
    absl::Status status = log->ReadAfter(after, head + 10, &read);
    Check(status.ok(), "ReadAfter of a recovered log", status);
    Check(read.size() == head - after, "ReadAfter returns every event after the position");
    for (size_t i = 0; i < read.size(); ++i) {
      Check(read[i].SerializeAsString() == recovered[after + i].SerializeAsString(),
            "ReadAfter returns what recovery saw");
    }
  }

  // The log goes on: a new event is appended after the recovered ones...
  bank::v1::Event event;
  event.set_account_id("fuzz-append");
  event.set_version(state.book.Get("fuzz-append").version + 1);
  event.mutable_deposited()->set_amount(1);
  std::promise<absl::StatusOr<uint64_t>> done;
  log->Append({event}, [&done](absl::StatusOr<uint64_t> position) { done.set_value(position); });
  log->Commit();
  absl::StatusOr<uint64_t> position = done.get_future().get();
  Check(position.ok() && *position == head + 1, "an append after recovery", position.status());

  // ...and the next start recovers exactly the old events and the new one.
  log.reset();
  std::vector<bank::v1::Event> reopened;
  absl::StatusOr<command::RecoveredState> again = Open(dir, &reopened);
  Check(again.ok(), "a recovered log opens again", again.status());
  Check(reopened.size() == head + 1, "the reopened log holds the old events and the new one");
}

void RunOne(const uint8_t* data, size_t size) {
  const std::string dir = Root() + "/log";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  for (const auto& [base, bytes] : BuildLog(data, size)) {
    WriteFile(dir + "/" + SegmentFileName(base), bytes);
  }
  std::vector<bank::v1::Event> recovered;
  absl::StatusOr<command::RecoveredState> state = Open(dir, &recovered);
  if (!state.ok()) {
    Check(absl::IsDataLoss(state.status()) || absl::IsFailedPrecondition(state.status()),
          "recovery fails only with DATA_LOSS or FAILED_PRECONDITION", state.status());
    return;
  }
  CheckRecoveredLog(dir, *std::move(state), recovered);
}

}  // namespace
}  // namespace bank::log

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in fuzzed events is expected
  // tmpfs when there is one: every Open fsyncs.
  std::string base = ::access("/dev/shm", W_OK) == 0
                         ? "/dev/shm"
                         : std::filesystem::temp_directory_path().string();
  std::string root = base + "/fuzz_segment_recovery.XXXXXX";
  if (::mkdtemp(root.data()) == nullptr) std::abort();
  bank::log::Root() = root;
  std::atexit([] { std::filesystem::remove_all(bank::log::Root()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bank::log::RunOne(data, size);
  return 0;
}
