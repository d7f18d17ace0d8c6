#ifndef BANK_COMMAND_SERVICE_STORE_FILE_LOG_SCAN_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_LOG_SCAN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "command-service/store/file/segment.h"

namespace bank::log {

// The largest tail that a crash can leave unsynced: the writer syncs at least
// every kMaxUnsyncedBytes, and one record can overshoot by a whole record. A
// damaged region further from the end of the file than this is corruption.
inline constexpr uint64_t kMaxUnsyncedBytes = 1 << 20;
inline constexpr uint64_t kMaxTornTailBytes =
    kMaxUnsyncedBytes + kRecordHeaderSize + kMaxPayloadSize;

// The end of a log whose last write a crash interrupted, which start-up
// repairs (RecoverLog) and a read-only scan only reports. It can only hold
// bytes that were never acknowledged.
struct TornEnd {
  enum class Kind {
    kTail,             // a record cut short or damaged at the end of the last segment
    kSegmentCreation,  // a last segment shorter than its header
  };
  Kind kind = Kind::kTail;
  std::string path;       // the last segment's file
  uint64_t offset = 0;    // kTail: where the torn record starts (the file is cut to this)
  uint64_t data_end = 0;  // kTail: where its bytes that are not zero end
  uint64_t size = 0;      // the file's size (a preallocated segment runs on in zeros)
  uint64_t position = 0;  // the position the torn record, or the new segment, would have held
};

struct RecoveredLog {
  std::vector<std::unique_ptr<Segment>> segments;  // by base position; may be empty
  uint64_t head = 0;                               // last position in the log, 0 if none
  uint64_t end_offset = 0;                         // end of the last segment's valid records
  // Set when the log ends in a torn write. Its segment (kTail) is in
  // `segments`; a torn creation is not.
  std::optional<TornEnd> torn_end;
};

// Reads every segment in `dir` and judges it, changing nothing: opens every
// file read-only and returns the segments with read-only descriptors. Verifies
// every record's checksum and that positions run 1, 2, 3 ... without a gap,
// builds the sparse indexes (an entry every `index_every` records) and hands
// each event (of an event record, or each member of a group record) to `visit`
// in position order, which decides what its payload means; an error it returns
// stops the scan, prefixed with the record's file and offset.
//
// A torn tail (a crash mid-write) is OK, described in torn_end: an incomplete
// or damaged record at the end with no valid record after it, or a last
// segment too short to hold its header. Anything else damaged - in a sealed
// segment, or followed by valid records - is DATA_LOSS naming file, offset and
// position, with what the operator should do. A segment format from a newer
// release is FAILED_PRECONDITION; a listing or read error its errno's status.
//
// What a snapshot holds (`cut`) is left unread where the log allows: a
// sealed segment whose events all lie at or before cut.position is only
// opened and its header checked (its last position is taken from the next
// segment's name), and the segment holding the cut is read from the record
// after the cut's last record, when that record is where the cut says. Those
// records are read, and checked, when first needed (IndexUnreadSegment).
absl::StatusOr<RecoveredLog> ScanLog(const std::string& dir, size_t index_every,
                                     StoredEventVisitor visit, const SnapshotCut& cut = {});

// Reads and checks the records of a segment that ScanLog left unread up to
// `end_offset`, as ScanLog would have (every checksum; positions from its
// base to `last_position`, dense; the last record ending at `end_offset`),
// and returns their sparse index. DATA_LOSS naming file, offset and position
// otherwise.
absl::StatusOr<std::vector<IndexEntry>> IndexUnreadSegment(const Segment& segment,
                                                           uint64_t last_position,
                                                           uint64_t end_offset, size_t index_every);

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_LOG_SCAN_H_
