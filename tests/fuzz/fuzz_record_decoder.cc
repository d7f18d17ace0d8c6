// libFuzzer target: the log's record and segment-header decoders on arbitrary
// bytes (a group record's members included), and the encode/decode round
// trip. Aborts on any broken property.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "command-service/store/file/log_format.h"
#include "command-service/store/file/record_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace bank::log {
namespace {

using ::bank::fuzz::Check;

template <typename T>
T Load(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// A header that decodes names the magic, our version and its own base position.
void CheckSegmentHeader(absl::string_view bytes) {
  absl::StatusOr<uint64_t> base = DecodeSegmentHeader(bytes);
  if (!base.ok()) {
    Check(base.status().code() == absl::StatusCode::kDataLoss ||
              base.status().code() == absl::StatusCode::kFailedPrecondition,
          "a bad segment header is DATA_LOSS or FAILED_PRECONDITION");
    return;
  }
  Check(bytes.size() >= kSegmentHeaderSize, "a short header never decodes");
  Check(std::memcmp(bytes.data(), kSegmentMagic, sizeof(kSegmentMagic)) == 0, "magic checked");
  Check(Load<uint32_t>(bytes.data() + 8) == kFormatVersion, "version checked");
  Check(*base == Load<uint64_t>(bytes.data() + 16), "base position is bytes 16..24");
  const std::string again = EncodeSegmentHeader(*base);
  Check(DecodeSegmentHeader(again).value_or(~*base) == *base, "re-encoded header decodes");
}

// The events of a record: itself, or a group's members at consecutive
// positions, which re-encode to its payload; a malformed group is DATA_LOSS
// and hands out no event.
void CheckEvents(const DecodedRecord& record) {
  std::vector<store::StoredPayload> events;
  const absl::Status status = ForEachEvent(record, [&](const store::StoredPayload& event) {
    Check(event.position == record.position + events.size(), "consecutive positions");
    Check(event.group_end >= event.position, "an event is at or before its group's end");
    events.push_back(event);
    return absl::OkStatus();
  });
  if (record.type != static_cast<uint8_t>(RecordType::kEventGroup)) {
    Check(status.ok() && events.size() == 1 && events[0].payload == record.payload &&
              events[0].schema_version == record.type,
          "an event record is its one event");
    return;
  }
  if (!status.ok()) {
    Check(status.code() == absl::StatusCode::kDataLoss && events.empty(),
          "a malformed group is DATA_LOSS with no event handed out");
    return;
  }
  Check(events.size() >= 2, "a group holds two or more events");
  Check(events.back().group_end == events.back().position, "the last event ends its group");
  Check(EncodeGroupPayload(events) == record.payload, "a group's events re-encode to its payload");
}

// Decodes records back to back from the start of `bytes`, checking each result
// against the format.
void CheckRecords(absl::string_view bytes) {
  while (true) {
    DecodedRecord record;
    const DecodeResult result = DecodeRecord(bytes, &record);
    if (result == DecodeResult::kIncomplete) {
      Check(bytes.size() < kRecordHeaderSize ||
                bytes.size() < kRecordHeaderSize + Load<uint32_t>(bytes.data() + 4),
            "kIncomplete only when the buffer ends inside the record");
      return;
    }
    if (result == DecodeResult::kCorrupt) return;
    Check(record.size == kRecordHeaderSize + record.payload.size(), "size is header + payload");
    Check(record.size <= bytes.size(), "record lies inside the buffer");
    Check(record.payload.data() == bytes.data() + kRecordHeaderSize, "payload follows header");
    Check(record.payload.size() <= kMaxPayloadSize, "payload within the limit");
    std::string again;
    AppendRecord(static_cast<RecordType>(record.type), record.position, record.payload, &again);
    Check(again == bytes.substr(0, record.size), "a decoded record re-encodes to its bytes");
    if ((record.type & kSkippableTypeBit) == 0) CheckEvents(record);
    bytes.remove_prefix(record.size);
  }
}

// AppendRecord then DecodeRecord returns the same record; no strict prefix
// decodes, and a flipped bit outside the length field fails the checksum.
void CheckRoundTrip(FuzzedDataProvider& input) {
  const uint8_t type = input.ConsumeIntegral<uint8_t>();
  const uint64_t position = input.ConsumeIntegral<uint64_t>();
  const std::string prefix = input.ConsumeRandomLengthString(64);
  const size_t flip = input.ConsumeIntegral<uint16_t>();
  const std::string payload = input.ConsumeRemainingBytesAsString();

  std::string buffer = prefix;
  AppendRecord(static_cast<RecordType>(type), position, payload, &buffer);
  Check(buffer.size() == prefix.size() + kRecordHeaderSize + payload.size(), "framed size");
  absl::string_view framed = absl::string_view(buffer).substr(prefix.size());
  DecodedRecord record;
  Check(DecodeRecord(framed, &record) == DecodeResult::kOk, "round trip decodes");
  Check(record.type == type && record.position == position && record.payload == payload &&
            record.size == framed.size(),
        "round trip returns the same record");
  if ((type & kSkippableTypeBit) == 0) CheckEvents(record);
  for (size_t cut : {size_t{0}, kRecordHeaderSize - 1, kRecordHeaderSize, framed.size() - 1}) {
    if (cut >= framed.size()) continue;
    Check(DecodeRecord(framed.substr(0, cut), &record) == DecodeResult::kIncomplete,
          "a strict prefix is incomplete");
  }
  const size_t bit = flip % (framed.size() * 8);
  std::string damaged(framed);
  damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
  // A flipped length bit may, once in 2^32, frame a shorter record whose
  // checksum happens to match: only the other bits are certain to be caught.
  if (bit / 8 >= 4 && bit / 8 < 8) return;
  Check(DecodeRecord(damaged, &record) == DecodeResult::kCorrupt, "a flipped bit is caught");
}

}  // namespace
}  // namespace bank::log

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  bank::log::CheckSegmentHeader(bytes);
  bank::log::CheckRecords(bytes);
  if (size >= bank::log::kSegmentHeaderSize) {
    bank::log::CheckRecords(bytes.substr(bank::log::kSegmentHeaderSize));
  }
  FuzzedDataProvider input(data, size);
  bank::log::CheckRoundTrip(input);
  return 0;
}
