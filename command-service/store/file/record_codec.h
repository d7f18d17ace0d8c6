#ifndef BANK_COMMAND_SERVICE_STORE_FILE_RECORD_CODEC_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_RECORD_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "command-service/store/event_upcaster.h"
#include "command-service/store/file/log_format.h"

namespace bank::log {

// Pure encoders and decoders of the bytes in log_format.h: no I/O, no state.

std::string EncodeSegmentHeader(uint64_t base_position);

// Returns the base position, or DATA_LOSS naming what is wrong. `bytes` must
// hold at least kSegmentHeaderSize bytes.
absl::StatusOr<uint64_t> DecodeSegmentHeader(absl::string_view bytes);

// Appends one framed record to `out`.
void AppendRecord(RecordType type, uint64_t position, absl::string_view payload, std::string* out);

// The payload of a kEventGroup record holding `events` (two or more), whose
// positions are the record's and the ones after it.
std::string EncodeGroupPayload(absl::Span<const store::StoredPayload> events);

struct DecodedRecord {
  uint8_t type = 0;
  uint64_t position = 0;
  absl::string_view payload;  // points into the decoded buffer
  size_t size = 0;            // header + payload: where the next record starts
};

// Hands `visit` each event that `record` holds, in position order: an event
// record is one event (its type is its schema version), a group record its
// members. Stops at the first error `visit` returns. A group payload that is
// not two or more well-framed events (a writer's bug, or damage its checksum
// missed) is DATA_LOSS. `record` must not be skippable.
using StoredEventVisitor = absl::FunctionRef<absl::Status(const store::StoredPayload& event)>;
absl::Status ForEachEvent(const DecodedRecord& record, StoredEventVisitor visit);

// The position of the last event `record` holds: its own, or its group's
// last. DATA_LOSS for a malformed group, as ForEachEvent.
absl::StatusOr<uint64_t> LastPositionOf(const DecodedRecord& record);

enum class DecodeResult {
  kOk,
  kIncomplete,  // the buffer ends inside the record: read more, or a torn tail
  kCorrupt,     // checksum mismatch or an impossible length
};

// The length and position fields of the record header at the start of
// `bytes` (at least kRecordHeaderSize bytes), before any checksum is verified:
// for sizing a read, or screening candidates cheaply.
uint32_t PeekRecordLength(absl::string_view bytes);
uint64_t PeekRecordPosition(absl::string_view bytes);

// Decodes the record at the start of `bytes` into `record`.
DecodeResult DecodeRecord(absl::string_view bytes, DecodedRecord* record);

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_RECORD_CODEC_H_
