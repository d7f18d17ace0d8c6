#include "command-service/snapshot/snapshot_writer.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "command-service/snapshot/snapshot_files.h"
#include "command-service/snapshot/snapshot_format.h"

namespace bank::command {
namespace {

constexpr size_t kBatchEvents = 4096;
// How long the thread sleeps when the log has nothing new: snapshots are
// not urgent, and a sleeping thread costs nothing.
constexpr absl::Duration kIdleWait = absl::Milliseconds(200);

}  // namespace

SnapshotWriter::SnapshotWriter(const EventStore& log, Options options)
    : log_(log), options_(std::move(options)), thread_([this] { Follow(); }) {}

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

void SnapshotWriter::Follow() {
  std::optional<Snapshot> start =
      LoadNewestSnapshot(options_.dir, options_.command_retention, log_.durable_head());
  uint64_t position = start ? start->position : 0;
  AccountBook book = start ? std::move(start->book) : AccountBook(options_.command_retention);
  uint64_t last_written = position;
  std::vector<bank::v1::Event> batch;
  while (!Stopping()) {
    batch.clear();
    const uint64_t head = log_.durable_head();
    if (absl::Status read = log_.ReadAfter(position, kBatchEvents, &batch); !read.ok()) {
      // The log's own readers report a damaged log; snapshots wait for it.
      spdlog::warn("snapshots: cannot read the log after position {}: {}", position,
                   read.ToString());
      batch.clear();
    }
    for (const bank::v1::Event& event : batch) {
      if (absl::Status replayed = book.Replay(event); !replayed.ok()) {
        spdlog::error("snapshots stop: the event at position {} does not replay: {}",
                      event.position(), replayed.ToString());
        return;
      }
      position = event.position();
    }
    // ReadAfter hands out whole groups: `position` ends one. Caught up with
    // the head as it was before the read, so that catching up with a long
    // log writes one snapshot, at its end.
    if (position >= last_written + options_.every && position >= head) {
      Write(book, position);
      last_written = position;
    }
    if (batch.empty()) {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kIdleWait);
    }
  }
}

void SnapshotWriter::Write(const AccountBook& book, uint64_t position) {
  const absl::Time start = absl::Now();
  const std::string bytes = EncodeSnapshot(book, position);
  if (absl::Status written = WriteSnapshotFile(options_.dir, position, bytes); !written.ok()) {
    spdlog::warn("snapshot at position {} not written: {}", position, written.ToString());
    return;
  }
  spdlog::info("snapshot at position {} written: {} accounts, {} bytes in {}", position,
               book.account_count(), bytes.size(), absl::FormatDuration(absl::Now() - start));
  absl::MutexLock lock(&mu_);
  written_ = position;
}

}  // namespace bank::command
