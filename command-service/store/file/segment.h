#ifndef BANK_COMMAND_SERVICE_STORE_FILE_SEGMENT_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_SEGMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "command-service/store/file/record_codec.h"

namespace bank::log {

// "00000000000000000001.log": the base position, zero-padded so that names
// sort like positions.
std::string SegmentFileName(uint64_t base_position);
std::optional<uint64_t> ParseSegmentFileName(absl::string_view name);

// A file named by a log position in 20 digits, so that names sort like
// positions, then `suffix`: segments ("….log") and snapshots ("….snap").
std::string PositionFileName(uint64_t position, absl::string_view suffix);
std::optional<uint64_t> ParsePositionFileName(absl::string_view name, absl::string_view suffix);

// An open file descriptor, closed on destruction.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd();
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept;
  int get() const { return fd_; }
  int release();

 private:
  int fd_;
};

// One entry of a segment's sparse index: where a record starts. The index is
// a cache rebuilt from the data at every open, never stored.
struct IndexEntry {
  uint64_t position;
  uint64_t offset;
};

// Where a record starts: its segment, by base position (the file's name), and
// its offset in that file. A segment_base of 0 names no record (the log's
// positions start at 1).
struct RecordPlace {
  uint64_t segment_base = 0;
  uint64_t offset = 0;
};

// The part of the log a snapshot holds: every event up to `position`, the
// last event of the record at `last_record` (when the snapshot says where
// that is). Start-up leaves what it can of this part unread.
struct SnapshotCut {
  uint64_t position = 0;
  RecordPlace last_record;
};

// One segment file of the log: its base position, an open descriptor that
// readers pread() from, and the sparse index of its records.
struct Segment {
  uint64_t base_position = 0;
  std::string path;
  ScopedFd fd;
  std::vector<IndexEntry> index;
  // Not 0 when start-up left this segment's first records unread, since a
  // snapshot held all their events: the last position they must hold, and
  // the offset where they must end. That is the whole of a sealed segment
  // before the snapshot's (through the next segment's base, less one, to the
  // file's end), or the snapshot's own segment up to the end of the record
  // holding its last event. They are checked and indexed on the first read
  // of a position among them (IndexUnreadSegment), which sets this to 0.
  // Guarded, like `index`, by the log's lock; `check_mu` lets one reader do
  // the checking.
  uint64_t unread_through = 0;
  uint64_t unread_end = 0;
  absl::Mutex check_mu;

  // The offset of the last indexed record at or before `position`; when
  // none is, of the first record (after those left unread, for a position
  // past them).
  uint64_t SeekOffset(uint64_t position) const;
};

// Reads the records of one segment in order from a given offset, through a
// buffer of pread()s; never changes the file. Not thread-safe; cheap to make.
class SegmentReader {
 public:
  // Reads from `offset` to the file's end, or to `end` if it comes first.
  SegmentReader(int fd, uint64_t offset, uint64_t end = UINT64_MAX)
      : fd_(fd), next_offset_(offset), end_(end) {}

  // kOk fills `record` (its payload stays valid until the next call);
  // kIncomplete means the file ends before a whole record (the end of the
  // segment, or a torn tail); kCorrupt a checksum or length failure at
  // record_offset(). A read error is kCorrupt with io_status() set.
  DecodeResult Next(DecodedRecord* record);

  // Where the record that Next() returns (or failed on) starts.
  uint64_t record_offset() const { return next_offset_; }
  const absl::Status& io_status() const { return io_status_; }

 private:
  bool Fill(size_t want);

  int fd_;
  uint64_t next_offset_;  // file offset of buffer_[cursor_]
  uint64_t end_;          // no byte at or past it is read
  std::string buffer_;
  size_t cursor_ = 0;
  size_t advance_ = 0;  // size of the record returned last, consumed on the next call
  absl::Status io_status_;
};

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_SEGMENT_H_
