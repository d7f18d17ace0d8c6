#ifndef BANK_COMMAND_SERVICE_LOG_LOG_RECOVERY_H_
#define BANK_COMMAND_SERVICE_LOG_LOG_RECOVERY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "command-service/log/segment.h"

namespace bank::log {

// The largest tail that a crash can leave unsynced: the writer syncs at least
// every kMaxUnsyncedBytes, and one record can overshoot by a whole record. A
// damaged region further from the end of the file than this is corruption.
inline constexpr uint64_t kMaxUnsyncedBytes = 1 << 20;
inline constexpr uint64_t kMaxTornTailBytes =
    kMaxUnsyncedBytes + kRecordHeaderSize + kMaxPayloadSize;

struct RecoveredLog {
  std::vector<std::unique_ptr<Segment>> segments;  // by base position; may be empty
  uint64_t head = 0;                               // last position in the log, 0 if none
  uint64_t end_offset = 0;                         // end of the last segment's valid records
};

// Called with each event record (every record without kSkippableTypeBit) in
// position order; its payload is valid during the call only. An error stops
// recovery, prefixed with the record's file and offset.
using RecordVisitor = absl::FunctionRef<absl::Status(const DecodedRecord& record)>;

// Opens every segment in `dir`, verifies every record's checksum and that
// positions run 1, 2, 3 ... without a gap, builds the sparse indexes (an entry
// every `index_every` records) and hands each event record to `visit`, which
// decides what its payload means (EventLog upcasts it).
//
// A torn tail (a crash mid-write) is cut off the last segment, with a warning
// naming file and offset: an incomplete or damaged record at the end with no
// valid record after it, or a last segment too short to hold its header.
// Anything else damaged - in a sealed segment, or followed by valid records -
// is DATA_LOSS, and then nothing on disk has been changed. A segment format
// from a newer release is FAILED_PRECONDITION.
absl::StatusOr<RecoveredLog> RecoverLog(const std::string& dir, size_t index_every,
                                        RecordVisitor visit);

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_LOG_LOG_RECOVERY_H_
