#ifndef BANK_COMMAND_SERVICE_STORE_FILE_EVENT_LOG_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_EVENT_LOG_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "command-service/store/event_store.h"
#include "command-service/store/event_upcaster.h"
#include "command-service/store/file/file_ops.h"
#include "command-service/store/file/segment.h"

namespace bank::log {

struct EventLogOptions {
  std::string dir;                       // must exist; the caller holds its lock
  uint64_t segment_bytes = 64ull << 20;  // roll to a new segment past this size
  size_t index_every = 256;              // records between sparse index entries
  FileOps file_ops = FileOps::Posix();
  store::EventUpcaster upcaster{};  // decodes event records for recovery and reads
};

// The durable, append-only event log: segment files in one directory (the
// format is in log_format.h and docs/event-log-format.md).
//
// Group commit on the callers' threads, with no thread of its own: Append()
// only queues; Commit() makes the calling thread the committer unless
// another thread already is. The committer takes everything queued, writes
// it, calls fdatasync once for the whole group, publishes the new durable
// head, gives up the role and only then runs the group's callbacks - so while
// it answers, the next caller can already write and sync the next group. It
// then commits again if appends queued up meanwhile and nobody took them.
// Throughput grows with concurrency instead of paying one sync per event, and
// in the command service every reply leaves from the gRPC thread that
// committed it: no hand-off to a thread of ours and back (measured in
// bench/PROFILE.md).
// Any failed write or sync is sticky (after a failed fsync the kernel may have
// dropped the dirty pages, so nothing written afterwards can be trusted).
//
// Readers never take the committer's lock: they find a segment and offset in
// the sparse index and pread() up to the durable head.
class EventLog final : public EventStore {
 public:
  using EventVisitor = absl::FunctionRef<absl::Status(const bank::v1::Event&)>;

  // Recovers the log in options.dir (see RecoverLog: a torn tail is cut,
  // other damage is DATA_LOSS with nothing changed), upcasts every event
  // after the snapshot's cut to the current shape and hands it to `visit` in
  // order, and starts taking appends. Events up to the cut (the snapshot
  // holds them) are not decoded, and records holding only such events are
  // not read until first needed where ScanLog can tell where they end (every
  // sealed segment before the cut's, and the cut's own up to its record):
  // they are checked and indexed then, and a read of damage there is
  // DATA_LOSS.
  // An event schema version options.upcaster does not read is
  // FAILED_PRECONDITION naming it, its position and file. Appends are written
  // in kCurrentEventType.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(EventLogOptions options, EventVisitor visit,
                                                        const SnapshotCut& cut = {});

  // Refuses new appends, commits everything queued and runs every callback.
  ~EventLog() override;

  // A group of one event is written as an event record, a larger one as one
  // group record (log_format.h): all of it survives a crash, or none. A group
  // that is empty, or too large for a record, is refused with
  // INVALID_ARGUMENT.
  void Append(std::vector<bank::v1::Event> group, AppendDone done) override;
  void Commit() override;
  absl::Status ReadAfter(uint64_t after, size_t max_events,
                         std::vector<bank::v1::Event>* out) const override;
  uint64_t durable_head() const override { return durable_head_.load(std::memory_order_acquire); }
  absl::Status health() const override;
  // Where the record holding the durable event at `position` starts: what a
  // snapshot at `position` keeps, so that start-up can read the log from
  // there. OUT_OF_RANGE past the durable head; DATA_LOSS as ReadAfter.
  absl::StatusOr<RecordPlace> PlaceOf(uint64_t position) const;
  void AddHeadListener(HeadListener listener) override;
  void AddCommitListener(CommitListener listener) override;

 private:
  struct PendingAppend {
    std::vector<bank::v1::Event> group;
    AppendDone done;
  };
  // What only the committer touches.
  struct ActiveSegment {
    Segment* segment = nullptr;
    uint64_t end_offset = 0;    // durable end of its records
    uint64_t record_count = 0;  // for the sparse index
  };

  EventLog(EventLogOptions options, uint64_t head);

  // Writes, syncs and publishes `group`; then gives up the committer role and
  // answers the group's appends (and, after a failure, every queued one).
  void CommitGroup(std::vector<PendingAppend> group);
  // Writes and syncs `batch`, rolling segments as needed. Sets `durable` to
  // how many of its appends (a prefix) are synced: all of them on success,
  // those synced before the failure otherwise.
  absl::Status WriteBatch(std::vector<PendingAppend>& batch, size_t* durable);
  absl::Status Flush(const std::string& buffer, std::vector<IndexEntry>& new_entries);
  absl::Status SealActiveSegment();
  absl::Status RollSegment(uint64_t base_position);
  Segment* FindSegment(uint64_t position) const ABSL_SHARED_LOCKS_REQUIRED(segments_mu_);
  // A durable position's segment and where to start reading for it there,
  // the segment checked first if start-up left that part of it unread.
  struct ReadStart {
    Segment* segment;
    uint64_t offset;
  };
  absl::StatusOr<ReadStart> SeekDurable(uint64_t position) const;
  // Checks and indexes the records of a segment start-up left unread (see
  // ScanLog), once.
  absl::Status IndexOnFirstRead(Segment& segment) const;

  const EventLogOptions options_;

  mutable absl::Mutex queue_mu_;
  std::vector<PendingAppend> queue_ ABSL_GUARDED_BY(queue_mu_);
  // Appends refused at once, answered by the next Commit (see EventStore).
  struct RefusedAppend {
    AppendDone done;
    absl::Status why;
  };
  std::vector<RefusedAppend> refused_ ABSL_GUARDED_BY(queue_mu_);
  uint64_t next_position_ ABSL_GUARDED_BY(queue_mu_);
  absl::Status failure_ ABSL_GUARDED_BY(queue_mu_);
  bool committing_ ABSL_GUARDED_BY(queue_mu_) = false;  // a thread holds the committer role
  int threads_in_commit_ ABSL_GUARDED_BY(queue_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Segments are only ever added (by the committer); readers hold pointers to
  // them only while holding segments_mu_ or for the life of the log.
  mutable absl::Mutex segments_mu_;
  std::vector<std::unique_ptr<Segment>> segments_ ABSL_GUARDED_BY(segments_mu_);

  absl::Mutex listeners_mu_;
  std::vector<HeadListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  std::vector<CommitListener> commit_listeners_ ABSL_GUARDED_BY(listeners_mu_);

  std::atomic<uint64_t> durable_head_;
  // The committer's alone (and Open's, before any append): handed from one
  // committer to the next under queue_mu_.
  ActiveSegment active_;
};

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_EVENT_LOG_H_
