#include "command-service/snapshot/snapshot_writer.h"

#include <malloc.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "command-service/snapshot/snapshot_files.h"
#include "command-service/snapshot/snapshot_format.h"

namespace bank::command {
namespace {

constexpr size_t kBatchEvents = 4096;
// How often the thread looks at the log's head: snapshots are not urgent,
// and a sleeping thread costs nothing.
constexpr absl::Duration kHeadCheckInterval = absl::Milliseconds(200);

// ioprio_set(2)'s ABI. Not from <linux/ioprio.h>: in some linux-libc-dev
// releases it does not compile as user-space C++ (its ioprio_value() uses the
// kernel's __always_inline), as in the Docker image's.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassIdle = 3;
constexpr int kIoprioClassShift = 13;

// Building a snapshot is never urgent; answering commands always is.
void LowerThisThreadsPriority() {
  // The kernel's lowest CPU class, SCHED_IDLE (on Linux a thread's own),
  // below even nice 19.
  const sched_param no_priority{.sched_priority = 0};
  if (::sched_setscheduler(::gettid(), SCHED_IDLE, &no_priority) != 0) {
    spdlog::warn("snapshots: cannot lower the writer thread's priority: {}", strerror(errno));
  }
  // And the idle I/O class: the snapshot's write-back, issued from this
  // thread by sync_file_range (snapshot_files.cc), queues behind the log's
  // fdatasyncs in schedulers that honour I/O classes (mq-deadline, BFQ).
  // glibc has no wrapper for ioprio_set.
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, ::gettid(),
                kIoprioClassIdle << kIoprioClassShift) != 0) {
    spdlog::warn("snapshots: cannot lower the writer thread's I/O priority: {}", strerror(errno));
  }
}

}  // namespace

SnapshotWriter::SnapshotWriter(const log::EventLog& log, Options options)
    : log_(log), options_(std::move(options)), thread_([this] { Run(); }) {}

SnapshotWriter::~SnapshotWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool SnapshotWriter::WaitForSnapshot(uint64_t position, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto written = [this, position]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return written_ >= position; };
  return mu_.AwaitWithTimeout(absl::Condition(&written), timeout);
}

bool SnapshotWriter::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void SnapshotWriter::Run() {
  LowerThisThreadsPriority();
  uint64_t newest = options_.newest;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kHeadCheckInterval);
      if (stopping_) return;
    }
    const uint64_t head = log_.durable_head();
    if (head < newest + options_.every) continue;
    absl::StatusOr<uint64_t> written = WriteNext();
    // The book and the bytes are gone; give their pages back to the OS
    // rather than keep them for a snapshot an interval away.
    ::malloc_trim(0);
    if (written.ok()) {
      newest = *written;
      absl::MutexLock lock(&mu_);
      written_ = newest;
    } else if (!absl::IsCancelled(written.status())) {
      // Tried again an interval later; the log, the system of record, is
      // whole either way.
      spdlog::warn("snapshot not written: {}", written.status().ToString());
      newest = head;
    }
  }
}

absl::StatusOr<uint64_t> SnapshotWriter::WriteNext() {
  const absl::Time start = absl::Now();
  const uint64_t head = log_.durable_head();
  std::optional<Snapshot> previous =
      LoadNewestSnapshot(options_.dir, options_.command_retention, head);
  uint64_t position = previous ? previous->position : 0;
  AccountBook book = previous ? std::move(previous->book) : AccountBook(options_.command_retention);
  std::vector<bank::v1::Event> batch;
  while (position < head) {
    if (Stopping()) return absl::CancelledError("stopping");
    batch.clear();
    if (absl::Status read = log_.ReadAfter(position, kBatchEvents, &batch); !read.ok()) {
      return read;
    }
    if (batch.empty()) return absl::InternalError("the log ended before its durable head");
    for (const bank::v1::Event& event : batch) {
      if (absl::Status replayed = book.Replay(event); !replayed.ok()) return replayed;
    }
    // ReadAfter hands out whole groups: `position` ends one.
    position = batch.back().position();
  }
  absl::StatusOr<log::RecordPlace> last_record = log_.PlaceOf(position);
  if (!last_record.ok()) return last_record.status();
  absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> file =
      SnapshotFileWriter::Create(options_.dir, position);
  if (!file.ok()) return file.status();
  const size_t accounts = book.account_count();
  uint64_t bytes = 0;
  absl::Status written =
      EncodeSnapshot(std::move(book), position, *last_record, [&](absl::string_view piece) {
        // A shutdown waits for a piece, not for the whole file.
        if (Stopping()) return absl::CancelledError("stopping");
        bytes += piece.size();
        return (*file)->Append(piece);
      });
  if (written.ok()) written = (*file)->Commit();
  if (!written.ok()) return written;
  spdlog::info("snapshot at position {} written: {} accounts, {} bytes in {}", position, accounts,
               bytes, absl::FormatDuration(absl::Now() - start));
  return position;
}

}  // namespace bank::command
