#include "command-service/store/file/event_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "command-service/store/file/log_recovery.h"
#include "command-service/store/file/log_scan.h"
#include "command-service/store/file/record_codec.h"
#include "common/posix_status.h"
#include "google/protobuf/util/time_util.h"

namespace bank::log {

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(EventLogOptions options,
                                                         EventVisitor visit,
                                                         const SnapshotCut& cut) {
  bank::v1::Event event;
  auto visit_record = [&](const store::StoredPayload& stored) -> absl::Status {
    if (stored.position <= cut.position) return absl::OkStatus();
    absl::Status upcast = options.upcaster.Upcast(stored, &event);
    if (!upcast.ok()) return upcast;
    return visit(event);
  };
  const absl::Time start = absl::Now();
  absl::StatusOr<RecoveredLog> recovered =
      RecoverLog(options.dir, options.index_every, visit_record, cut);
  if (!recovered.ok()) return recovered.status();

  auto log = std::unique_ptr<EventLog>(new EventLog(std::move(options), recovered->head));
  const size_t segment_count = std::max<size_t>(recovered->segments.size(), 1);
  if (recovered->segments.empty()) {
    absl::Status created = log->RollSegment(1);
    if (!created.ok()) return created;
  } else {
    Segment* last = recovered->segments.back().get();
    log->active_ =
        ActiveSegment{last, recovered->end_offset, recovered->head - last->base_position + 1};
    // A log from before preallocation, or one whose torn tail was cut.
    absl::Status preallocated =
        Preallocate(last->fd.get(), last->path, log->options_.segment_bytes);
    if (!preallocated.ok()) return preallocated;
    absl::MutexLock lock(&log->segments_mu_);
    log->segments_ = std::move(recovered->segments);
  }
  spdlog::info("event log {}: recovered {} events in {} segment(s) in {}", log->options_.dir,
               recovered->head, segment_count, absl::FormatDuration(absl::Now() - start));
  return log;
}

EventLog::EventLog(EventLogOptions options, uint64_t head)
    : options_(std::move(options)), next_position_(head + 1), durable_head_(head) {}

EventLog::~EventLog() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
    // A thread may still be between its last callback and leaving Commit.
    queue_mu_.Await(absl::Condition(
        +[](int* threads) { return *threads == 0; }, &threads_in_commit_));
  }
  Commit();  // anything appended whose Commit has not run yet
}

namespace {

// A group's record stays well below kMaxPayloadSize with room for what
// Append adds to each event (its position and recorded_at) and for the
// group's frames.
absl::Status CheckGroupSize(const std::vector<bank::v1::Event>& group) {
  if (group.empty()) return absl::InvalidArgumentError("an empty group of events");
  constexpr size_t kAddedPerEvent = 64;
  size_t bytes = 0;
  for (const bank::v1::Event& event : group) bytes += event.ByteSizeLong() + kAddedPerEvent;
  if (bytes > kMaxPayloadSize) {
    return absl::InvalidArgumentError(absl::StrCat("a group of ", group.size(), " events is about ",
                                                   bytes, " bytes, more than a record holds (",
                                                   kMaxPayloadSize, ")"));
  }
  return absl::OkStatus();
}

// Sets `payload` to the record payload of `group` and returns the record's
// type: one event is an event record of the current schema version, more are
// a group record.
RecordType EncodeRecordPayload(const std::vector<bank::v1::Event>& group, std::string* payload) {
  payload->clear();
  if (group.size() == 1) {
    group.front().SerializeToString(payload);
    return kCurrentEventType;
  }
  std::vector<std::string> events(group.size());
  std::vector<store::StoredPayload> members;
  members.reserve(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].SerializeToString(&events[i]);
    members.push_back({.schema_version = store::kCurrentSchemaVersion,
                       .position = group[i].position(),
                       .payload = events[i],
                       .group_end = group.back().position()});
  }
  *payload = EncodeGroupPayload(members);
  return RecordType::kEventGroup;
}

}  // namespace

void EventLog::Append(std::vector<bank::v1::Event> group, AppendDone done) {
  absl::Status refused = CheckGroupSize(group);
  absl::MutexLock lock(&queue_mu_);
  if (refused.ok()) {
    if (failure_.ok() && !stopping_) {
      const google::protobuf::Timestamp now =
          google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::GetCurrentTimeNanos());
      for (bank::v1::Event& event : group) {
        event.set_position(next_position_++);
        *event.mutable_recorded_at() = now;
      }
      queue_.push_back({std::move(group), std::move(done)});
      return;
    }
    refused = stopping_ ? absl::UnavailableError("the event log is shutting down") : failure_;
  }
  refused_.push_back({std::move(done), std::move(refused)});
}

absl::Status EventLog::health() const {
  absl::MutexLock lock(&queue_mu_);
  return failure_;
}

void EventLog::AddHeadListener(HeadListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void EventLog::AddCommitListener(CommitListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  commit_listeners_.push_back(std::move(listener));
}

void EventLog::Commit() {
  queue_mu_.Lock();
  ++threads_in_commit_;
  for (;;) {
    if (!refused_.empty()) {
      std::vector<RefusedAppend> refused;
      refused.swap(refused_);
      queue_mu_.Unlock();
      for (RefusedAppend& append : refused) std::move(append.done)(std::move(append.why));
    } else if (!committing_ && !queue_.empty()) {
      committing_ = true;
      std::vector<PendingAppend> group;
      group.swap(queue_);
      queue_mu_.Unlock();
      CommitGroup(std::move(group));
    } else {
      break;
    }
    // Appends that queued while this thread answered, with nobody left to
    // commit them, are this thread's to commit: loop.
    queue_mu_.Lock();
  }
  --threads_in_commit_;
  queue_mu_.Unlock();
}

void EventLog::CommitGroup(std::vector<PendingAppend> group) {
  size_t durable = 0;
  const auto started = std::chrono::steady_clock::now();
  absl::Status status = WriteBatch(group, &durable);
  if (durable > 0) {
    const absl::Duration took = absl::FromChrono(std::chrono::steady_clock::now() - started);
    const uint64_t head = group[durable - 1].group.back().position();
    const size_t events = head - group.front().group.front().position() + 1;
    durable_head_.store(head, std::memory_order_release);
    absl::MutexLock lock(&listeners_mu_);
    for (const HeadListener& listener : listeners_) listener(head);
    for (const CommitListener& listener : commit_listeners_) {
      listener({.duration = took, .events = events});
    }
  }
  std::vector<PendingAppend> refused;
  {
    absl::MutexLock lock(&queue_mu_);
    if (!status.ok()) {
      spdlog::error("event log failed, no further command will be acknowledged until restart: {}",
                    status.ToString());
      failure_ = status;
      refused.swap(queue_);
    }
    committing_ = false;
  }
  for (size_t i = 0; i < group.size(); ++i) {
    PendingAppend& append = group[i];
    if (i < durable) {
      std::move(append.done)(append.group.front().position());
    } else {
      std::move(append.done)(status);
    }
  }
  for (PendingAppend& append : refused) std::move(append.done)(status);
}

absl::Status EventLog::WriteBatch(std::vector<PendingAppend>& batch, size_t* durable) {
  std::string buffer;
  std::string payload;
  std::vector<IndexEntry> new_entries;
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::vector<bank::v1::Event>& group = batch[i].group;
    const uint64_t first = group.front().position();
    const RecordType type = EncodeRecordPayload(group, &payload);
    const uint64_t record_size = kRecordHeaderSize + payload.size();
    const bool segment_full =
        active_.end_offset + buffer.size() + record_size > options_.segment_bytes &&
        active_.record_count > 0;
    if (segment_full || buffer.size() >= kMaxUnsyncedBytes) {
      absl::Status flushed = Flush(buffer, new_entries);
      if (!flushed.ok()) return flushed;
      *durable = i;
      buffer.clear();
    }
    if (segment_full) {
      absl::Status rolled = RollSegment(first);
      if (!rolled.ok()) return rolled;
    }
    if (active_.record_count++ % options_.index_every == 0) {
      new_entries.push_back({first, active_.end_offset + buffer.size()});
    }
    AppendRecord(type, first, payload, &buffer);
  }
  absl::Status flushed = Flush(buffer, new_entries);
  if (flushed.ok()) *durable = batch.size();
  return flushed;
}

// Writes `buffer` at the end of the active segment and syncs it; then the
// index entries pointing into it become visible.
absl::Status EventLog::Flush(const std::string& buffer, std::vector<IndexEntry>& new_entries) {
  if (buffer.empty()) return absl::OkStatus();
  Segment& segment = *active_.segment;
  absl::Status written =
      WriteFully(options_.file_ops, segment.fd.get(), segment.path, buffer.data(), buffer.size(),
                 static_cast<off_t>(active_.end_offset));
  if (written.ok() && options_.file_ops.fdatasync(segment.fd.get()) != 0) {
    written = PosixError(errno, absl::StrCat("fdatasync ", segment.path));
  }
  if (!written.ok()) {
    // Leave no partial record behind for a later start to puzzle over; if
    // this fails too, recovery cuts the torn tail.
    (void)::ftruncate(segment.fd.get(), static_cast<off_t>(active_.end_offset));
    return written;
  }
  active_.end_offset += buffer.size();
  absl::MutexLock lock(&segments_mu_);
  segment.index.insert(segment.index.end(), new_entries.begin(), new_entries.end());
  new_entries.clear();
  return absl::OkStatus();
}

// Cuts the active segment's unused preallocated space off, durably, so that a
// sealed segment ends at its last record, as recovery requires.
absl::Status EventLog::SealActiveSegment() {
  const Segment& segment = *active_.segment;
  if (::ftruncate(segment.fd.get(), static_cast<off_t>(active_.end_offset)) != 0) {
    return PosixError(errno, absl::StrCat("truncate ", segment.path));
  }
  if (options_.file_ops.fdatasync(segment.fd.get()) != 0) {
    return PosixError(errno, absl::StrCat("fdatasync ", segment.path));
  }
  return absl::OkStatus();
}

// Seals the active segment, if any; then creates the segment starting at
// `base_position`, makes its header and directory entry durable before any
// record goes into it, and preallocates it.
absl::Status EventLog::RollSegment(uint64_t base_position) {
  if (active_.segment != nullptr) {
    absl::Status sealed = SealActiveSegment();
    if (!sealed.ok()) return sealed;
  }
  auto segment = std::make_unique<Segment>();
  segment->base_position = base_position;
  segment->path = absl::StrCat(options_.dir, "/", SegmentFileName(base_position));
  segment->fd =
      ScopedFd(::open(segment->path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (segment->fd.get() < 0) return PosixError(errno, absl::StrCat("create ", segment->path));
  const std::string header = EncodeSegmentHeader(base_position);
  absl::Status status = WriteFully(options_.file_ops, segment->fd.get(), segment->path,
                                   header.data(), header.size(), 0);
  if (status.ok() && options_.file_ops.fdatasync(segment->fd.get()) != 0) {
    status = PosixError(errno, absl::StrCat("fdatasync ", segment->path));
  }
  if (status.ok()) status = SyncDirectory(options_.dir);
  // Only once the header is durable: a crash before it must leave a file
  // recovery recognises as a torn creation (no longer than a header).
  if (status.ok()) status = Preallocate(segment->fd.get(), segment->path, options_.segment_bytes);
  if (!status.ok()) return status;
  spdlog::info("event log: new segment {}", segment->path);
  active_ = ActiveSegment{segment.get(), kSegmentHeaderSize, 0};
  absl::MutexLock lock(&segments_mu_);
  segments_.push_back(std::move(segment));
  return absl::OkStatus();
}

Segment* EventLog::FindSegment(uint64_t position) const {
  auto after = std::upper_bound(segments_.begin(), segments_.end(), position,
                                [](uint64_t p, const std::unique_ptr<Segment>& segment) {
                                  return p < segment->base_position;
                                });
  return after == segments_.begin() ? nullptr : std::prev(after)->get();
}

absl::Status EventLog::IndexOnFirstRead(Segment& segment) const {
  absl::MutexLock checking(&segment.check_mu);
  uint64_t last_position, end_offset;
  {
    absl::ReaderMutexLock lock(&segments_mu_);
    last_position = segment.unread_through;
    end_offset = segment.unread_end;
  }
  if (last_position == 0) return absl::OkStatus();  // another reader did it
  absl::StatusOr<std::vector<IndexEntry>> index =
      IndexUnreadSegment(segment, last_position, end_offset, options_.index_every);
  if (!index.ok()) return index.status();
  absl::MutexLock lock(&segments_mu_);
  // Before the entries of the records read at start-up and appended since.
  segment.index.insert(segment.index.begin(), index->begin(), index->end());
  segment.unread_through = 0;
  return absl::OkStatus();
}

absl::StatusOr<EventLog::ReadStart> EventLog::SeekDurable(uint64_t position) const {
  Segment* segment;
  bool unread;
  {
    absl::ReaderMutexLock lock(&segments_mu_);
    segment = FindSegment(position);
    if (segment == nullptr) {
      return absl::OutOfRangeError(absl::StrCat("position ", position, " is not in the log"));
    }
    unread = position <= segment->unread_through;
  }
  if (unread) {
    if (absl::Status indexed = IndexOnFirstRead(*segment); !indexed.ok()) return indexed;
  }
  absl::ReaderMutexLock lock(&segments_mu_);
  return ReadStart{.segment = segment, .offset = segment->SeekOffset(position)};
}

absl::StatusOr<RecordPlace> EventLog::PlaceOf(uint64_t position) const {
  if (position == 0 || position > durable_head()) {
    return absl::OutOfRangeError(absl::StrCat("position ", position, " is not durable"));
  }
  absl::StatusOr<ReadStart> start = SeekDurable(position);
  if (!start.ok()) return start.status();
  SegmentReader reader(start->segment->fd.get(), start->offset);
  DecodedRecord record;
  while (reader.Next(&record) == DecodeResult::kOk) {
    if ((record.type & kSkippableTypeBit) != 0) continue;
    absl::StatusOr<uint64_t> last = LastPositionOf(record);
    if (!last.ok()) return last.status();
    if (*last >= position) {
      return RecordPlace{.segment_base = start->segment->base_position,
                         .offset = reader.record_offset()};
    }
  }
  if (!reader.io_status().ok()) return reader.io_status();
  return absl::DataLossError(absl::StrCat("position ", position, " is missing from ",
                                          start->segment->path, " (read to offset ",
                                          reader.record_offset(), ")"));
}

absl::Status EventLog::ReadAfter(uint64_t after, size_t max_events,
                                 std::vector<bank::v1::Event>* out) const {
  const uint64_t head = durable_head();
  uint64_t next = after + 1;
  while (next <= head && max_events > 0) {
    absl::StatusOr<ReadStart> start = SeekDurable(next);
    if (!start.ok()) return start.status();
    Segment* segment = start->segment;
    // Segments are never removed while the log is open, so the pointer stays
    // valid; only durable records (position <= head) are decoded, and those
    // bytes never change.
    SegmentReader reader(segment->fd.get(), start->offset);
    DecodedRecord record;
    DecodeResult result = DecodeResult::kOk;
    const uint64_t first = next;
    while (next <= head && max_events > 0 && (result = reader.Next(&record)) == DecodeResult::kOk) {
      if ((record.type & kSkippableTypeBit) != 0) continue;
      // A group record is read whole, even past max_events: a group is never
      // split (unless `after` falls inside it).
      absl::Status read = ForEachEvent(record, [&](const store::StoredPayload& stored) {
        if (stored.position < next) return absl::OkStatus();
        if (stored.position != next) {
          return absl::DataLossError(
              absl::StrCat("position ", stored.position, " where ", next, " was expected"));
        }
        absl::Status upcast = options_.upcaster.Upcast(stored, &out->emplace_back());
        if (!upcast.ok()) return upcast;
        ++next;
        if (max_events > 0) --max_events;
        return absl::OkStatus();
      });
      if (!read.ok()) {
        return absl::Status(read.code(),
                            absl::StrCat(segment->path, " at offset ", reader.record_offset(), ": ",
                                         read.message()));
      }
    }
    if (next <= head && max_events > 0 && result == DecodeResult::kCorrupt) {
      if (!reader.io_status().ok()) return reader.io_status();
      return absl::DataLossError(absl::StrCat(segment->path, " at offset ", reader.record_offset(),
                                              ": checksum mismatch"));
    }
    // kIncomplete: the segment ends here and the next one starts at `next`,
    // unless this segment did not even hold `first`.
    if (next == first && next <= head && max_events > 0) {
      return absl::DataLossError(
          absl::StrCat("position ", next, " is missing from ", segment->path));
    }
  }
  return absl::OkStatus();
}

}  // namespace bank::log
