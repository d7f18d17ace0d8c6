#include "command-service/store/file/log_scan.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/little_endian.h"
#include "common/posix_status.h"

namespace bank::log {
namespace {

struct SegmentFile {
  uint64_t base;
  std::string path;
};

absl::StatusOr<std::vector<SegmentFile>> ListSegments(const std::string& dir) {
  std::vector<SegmentFile> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!absl::EndsWith(name, ".log")) continue;
    std::optional<uint64_t> base = ParseSegmentFileName(name);
    if (!base.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "unexpected file ", entry.path().string(),
          " in the log directory: segment names are 20 digits and .log; move it away"));
    }
    files.push_back({*base, entry.path().string()});
  }
  if (error) return PosixError(error.value(), absl::StrCat("list ", dir));
  std::sort(files.begin(), files.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.base < b.base; });
  return files;
}

// True when a whole, valid record with a position the log could have reached
// starts anywhere in `tail` after its first byte: then the damage at the start
// of `tail` is not where writing stopped, but corruption in the middle.
bool ValidRecordFollows(absl::string_view tail, uint64_t expected_position) {
  // Every event takes at least a group member's frame.
  const uint64_t highest_possible = expected_position + tail.size() / kGroupMemberHeaderSize;
  for (size_t offset = 1; offset + kRecordHeaderSize <= tail.size(); ++offset) {
    const uint64_t position = PeekRecordPosition(tail.substr(offset));
    if (position < expected_position || position > highest_possible) continue;
    DecodedRecord record;
    if (DecodeRecord(tail.substr(offset), &record) == DecodeResult::kOk) return true;
  }
  return false;
}

// Reads up to `size` bytes at `offset` into `out`; fewer only at the end of
// the file.
absl::StatusOr<size_t> ReadInto(int fd, uint64_t offset, uint64_t size, const std::string& path,
                                char* out) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PosixError(errno, absl::StrCat("read ", path));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

absl::StatusOr<std::string> ReadRange(int fd, uint64_t offset, uint64_t size,
                                      const std::string& path) {
  std::string bytes(size, '\0');
  absl::StatusOr<size_t> read = ReadInto(fd, offset, size, path, bytes.data());
  if (!read.ok()) return read.status();
  bytes.resize(*read);
  return bytes;
}

// One past the last byte of `bytes` that is not zero; 0 when all are. Word
// by word: a preallocated segment's unused tail is tens of megabytes of zeros.
size_t EndOfNonZero(absl::string_view bytes) {
  size_t end = bytes.size();
  while (end % sizeof(uint64_t) != 0 && bytes[end - 1] == '\0') --end;
  if (end % sizeof(uint64_t) == 0) {
    while (end >= sizeof(uint64_t) &&
           GetLittleEndian<uint64_t>(bytes.data() + end - sizeof(uint64_t)) == 0) {
      end -= sizeof(uint64_t);
    }
  }
  while (end > 0 && bytes[end - 1] == '\0') --end;
  return end;
}

// Where the bytes after `offset` that are not zero end (`offset` when all
// are zero). The active segment is preallocated, so it runs on past its last
// record in zeros that were never written; only data regions are read
// (SEEK_DATA skips unwritten space where the file system can tell), through
// one buffer (a fresh one a chunk was faulted in anew every time).
absl::StatusOr<uint64_t> EndOfData(int fd, const std::string& path, uint64_t offset,
                                   uint64_t file_size) {
  constexpr uint64_t kChunk = 1 << 20;
  std::string buffer(kChunk, '\0');
  uint64_t end = offset;
  uint64_t next = offset;
  while (next < file_size) {
    const off_t data = ::lseek(fd, static_cast<off_t>(next), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // no data after `next`
    if (data < 0) return PosixError(errno, absl::StrCat("seek ", path));
    const off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return PosixError(errno, absl::StrCat("seek ", path));
    for (uint64_t chunk = static_cast<uint64_t>(data); chunk < static_cast<uint64_t>(hole);
         chunk += kChunk) {
      const uint64_t size = std::min<uint64_t>(kChunk, static_cast<uint64_t>(hole) - chunk);
      absl::StatusOr<size_t> read = ReadInto(fd, chunk, size, path, buffer.data());
      if (!read.ok()) return read.status();
      const size_t last = EndOfNonZero(absl::string_view(buffer.data(), *read));
      if (last != 0) end = std::max(end, chunk + last);
    }
    next = static_cast<uint64_t>(hole);
  }
  return end;
}

// Decides what the damage at `offset` of the last segment is. OK means a torn
// tail that may be cut; otherwise the DATA_LOSS to report.
absl::Status ClassifyDamage(int fd, const std::string& path, uint64_t offset, uint64_t data_end,
                            uint64_t expected_position) {
  const std::string where =
      absl::StrCat(path, " at offset ", offset, " (position ", expected_position, ")");
  if (data_end - offset > kMaxTornTailBytes) {
    return absl::DataLossError(absl::StrCat(
        "damaged record in ", where, " with ", data_end - offset,
        " bytes after it: more than a crash can leave unsynced, so this is corruption; the log "
        "was not modified. Restore the data directory from a backup"));
  }
  absl::StatusOr<std::string> tail = ReadRange(fd, offset, data_end - offset, path);
  if (!tail.ok()) return tail.status();
  if (ValidRecordFollows(*tail, expected_position)) {
    return absl::DataLossError(absl::StrCat(
        "damaged record in ", where,
        " is followed by valid records, so this is corruption, not a torn write; the log was not "
        "modified. Restore the data directory from a backup"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FileSize(int fd, const std::string& path) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return PosixError(errno, absl::StrCat("stat ", path));
  return static_cast<uint64_t>(info.st_size);
}

// Reads a segment's records from `reader` until one does not decode (the
// caller judges what is left there): each must hold the position after
// `*head`, which advances; each event goes to `visit`, and every
// `index_every`th record into `index`.
absl::Status ReadRecords(SegmentReader& reader, const std::string& path, size_t index_every,
                         StoredEventVisitor visit, uint64_t* head, std::vector<IndexEntry>* index) {
  uint64_t count = 0;
  DecodedRecord record;
  while (reader.Next(&record) == DecodeResult::kOk) {
    if ((record.type & kSkippableTypeBit) != 0) continue;
    if (record.position != *head + 1) {
      return absl::DataLossError(absl::StrCat(path, " at offset ", reader.record_offset(),
                                              ": position ", record.position, " where ", *head + 1,
                                              " was expected"));
    }
    if (count++ % index_every == 0) index->push_back({record.position, reader.record_offset()});
    absl::Status visited = ForEachEvent(record, [&](const store::StoredPayload& event) {
      absl::Status status = visit(event);
      if (status.ok()) *head = event.position;
      return status;
    });
    if (!visited.ok()) {
      return absl::Status(visited.code(), absl::StrCat(path, " at offset ", reader.record_offset(),
                                                       ": ", visited.message()));
    }
  }
  return reader.io_status();
}

absl::Status DamageInSealedSegment(const std::string& path, uint64_t offset, uint64_t position) {
  return absl::DataLossError(absl::StrCat(
      "damaged record in sealed segment ", path, " at offset ", offset, " (position ", position,
      "); the log was not modified. Restore the data directory from a backup"));
}

// Opens a sealed segment whose events a snapshot holds, checking only its
// header: its records are read when first needed (IndexUnreadSegment).
absl::Status OpenUnreadSegment(const SegmentFile& file, uint64_t last_position, RecoveredLog* log) {
  ScopedFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, absl::StrCat("open ", file.path));
  absl::StatusOr<uint64_t> size = FileSize(fd.get(), file.path);
  if (!size.ok()) return size.status();
  absl::StatusOr<std::string> header = ReadRange(fd.get(), 0, kSegmentHeaderSize, file.path);
  if (!header.ok()) return header.status();
  absl::StatusOr<uint64_t> base = DecodeSegmentHeader(*header);
  if (!base.ok()) {
    return absl::Status(base.status().code(),
                        absl::StrCat(file.path, ": ", base.status().message()));
  }
  if (*base != file.base || *base != log->head + 1) {
    return absl::DataLossError(absl::StrCat(file.path, " starts at position ", *base,
                                            " but the log needs position ", log->head + 1,
                                            " next: a segment is missing or misnamed"));
  }
  auto segment = std::make_unique<Segment>();
  segment->base_position = *base;
  segment->path = file.path;
  segment->fd = std::move(fd);
  segment->unread_through = last_position;
  segment->unread_end = *size;
  log->head = last_position;
  log->segments.push_back(std::move(segment));
  return absl::OkStatus();
}

// Where the records after the snapshot's cut start in the segment the cut
// names, read through `fd`: after the record at the cut's place, if one is
// there, whole, and ends at the cut's position. nullopt otherwise (the
// snapshot's place is wrong for this log, and the segment is read from its
// start, as for a snapshot that names no place).
std::optional<uint64_t> RecordsAfterCut(int fd, const SnapshotCut& cut) {
  SegmentReader reader(fd, cut.last_record.offset);
  DecodedRecord record;
  if (reader.Next(&record) != DecodeResult::kOk || (record.type & kSkippableTypeBit) != 0) {
    return std::nullopt;
  }
  absl::StatusOr<uint64_t> last = LastPositionOf(record);
  if (!last.ok() || *last != cut.position) return std::nullopt;
  return cut.last_record.offset + record.size;
}

// Scans one segment into `log`: `last` segments may have a torn tail. In
// the segment holding the snapshot's cut, the records up to the cut are
// left unread when the snapshot says where they end.
absl::Status ScanSegment(const SegmentFile& file, bool last, size_t index_every,
                         StoredEventVisitor visit, const SnapshotCut& cut, RecoveredLog* log) {
  ScopedFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, absl::StrCat("open ", file.path));
  absl::StatusOr<uint64_t> size = FileSize(fd.get(), file.path);
  if (!size.ok()) return size.status();
  const uint64_t file_size = *size;
  const uint64_t expected_base = log->head + 1;

  absl::StatusOr<std::string> header = ReadRange(fd.get(), 0, kSegmentHeaderSize, file.path);
  if (!header.ok()) return header.status();
  absl::StatusOr<uint64_t> base = DecodeSegmentHeader(*header);
  if (!base.ok()) {
    // A crash while creating a segment leaves its header short or unwritten;
    // nothing was ever appended after it.
    if (last && file_size <= kSegmentHeaderSize && file.base == expected_base) {
      log->torn_end = TornEnd{.kind = TornEnd::Kind::kSegmentCreation,
                              .path = file.path,
                              .size = file_size,
                              .position = expected_base};
      return absl::OkStatus();
    }
    return absl::Status(base.status().code(),
                        absl::StrCat(file.path, ": ", base.status().message()));
  }
  if (*base != file.base || *base != expected_base) {
    return absl::DataLossError(absl::StrCat(file.path, " starts at position ", *base,
                                            " but the log needs position ", expected_base,
                                            " next: a segment is missing or misnamed"));
  }

  auto segment = std::make_unique<Segment>();
  segment->base_position = *base;
  segment->path = file.path;
  uint64_t start = kSegmentHeaderSize;
  if (cut.last_record.segment_base == file.base && cut.position >= file.base) {
    if (std::optional<uint64_t> after = RecordsAfterCut(fd.get(), cut)) {
      start = *after;
      segment->unread_through = cut.position;
      segment->unread_end = start;
      log->head = cut.position;
    } else {
      spdlog::warn(
          "{} holds no record ending at position {} at offset {}, where the snapshot says; "
          "reading the segment from its start",
          file.path, cut.position, cut.last_record.offset);
    }
  }
  SegmentReader reader(fd.get(), start);
  absl::Status read =
      ReadRecords(reader, file.path, index_every, visit, &log->head, &segment->index);
  if (!read.ok()) return read;
  const uint64_t end = reader.record_offset();
  if (end != file_size) {
    if (!last) return DamageInSealedSegment(file.path, end, log->head + 1);
    // Zeros to the end are unused preallocated space, not damage.
    absl::StatusOr<uint64_t> data_end = EndOfData(fd.get(), file.path, end, file_size);
    if (!data_end.ok()) return data_end.status();
    if (*data_end > end) {
      absl::Status damage = ClassifyDamage(fd.get(), file.path, end, *data_end, log->head + 1);
      if (!damage.ok()) return damage;
      log->torn_end = TornEnd{.kind = TornEnd::Kind::kTail,
                              .path = file.path,
                              .offset = end,
                              .data_end = *data_end,
                              .size = file_size,
                              .position = log->head + 1};
    }
  }
  segment->fd = std::move(fd);
  log->end_offset = end;
  log->segments.push_back(std::move(segment));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecoveredLog> ScanLog(const std::string& dir, size_t index_every,
                                     StoredEventVisitor visit, const SnapshotCut& cut) {
  absl::StatusOr<std::vector<SegmentFile>> files = ListSegments(dir);
  if (!files.ok()) return files.status();
  RecoveredLog log;
  for (size_t i = 0; i < files->size(); ++i) {
    const bool last = i + 1 == files->size();
    absl::Status status = !last && (*files)[i + 1].base - 1 <= cut.position
                              ? OpenUnreadSegment((*files)[i], (*files)[i + 1].base - 1, &log)
                              : ScanSegment((*files)[i], last, index_every, visit, cut, &log);
    if (!status.ok()) return status;
  }
  return log;
}

absl::StatusOr<std::vector<IndexEntry>> IndexUnreadSegment(const Segment& segment,
                                                           uint64_t last_position,
                                                           uint64_t end_offset,
                                                           size_t index_every) {
  std::vector<IndexEntry> index;
  uint64_t head = segment.base_position - 1;
  SegmentReader reader(segment.fd.get(), kSegmentHeaderSize, end_offset);
  absl::Status read = ReadRecords(
      reader, segment.path, index_every,
      [](const store::StoredPayload&) { return absl::OkStatus(); }, &head, &index);
  if (!read.ok()) return read;
  if (reader.record_offset() != end_offset) {
    return absl::DataLossError(absl::StrCat(
        "damaged record in ", segment.path, " at offset ", reader.record_offset(), " (position ",
        head + 1,
        "), among the records a snapshot holds, which start-up left unread; the log was not "
        "modified. Restore the data directory from a backup"));
  }
  if (head != last_position) {
    return absl::DataLossError(
        absl::StrCat(segment.path, " holds positions up to ", head, " before offset ", end_offset,
                     " where the log needs ", last_position,
                     ": a segment is missing or misnamed; the log was not modified"));
  }
  return index;
}

}  // namespace bank::log
