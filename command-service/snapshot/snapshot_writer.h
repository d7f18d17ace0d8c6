#ifndef BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_
#define BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "command-service/account_book.h"
#include "command-service/store/file/event_log.h"

namespace bank::command {

// The contract's default for --snapshot_every.
inline constexpr uint64_t kDefaultSnapshotEvery = 1'000'000;

// Writes a snapshot of the command side's state each time the log has grown
// `every` events past the last one, from a consistent cut and without pausing
// a command. Its thread builds the state apart from the command handler's:
// the newest snapshot on disk (or an empty book), then the durable log after
// it folded in with start-up's own Replay, up to a group's end; so the state
// is exactly what start-up would rebuild there. It then writes it
// (snapshot_files.h) and frees it all: between snapshots the writer holds
// nothing but a position, and the service's memory is what it was without
// snapshots. Each snapshot costs reading the one before it, folding the
// events since, and writing, on a thread no command waits for.
class SnapshotWriter {
 public:
  struct Options {
    std::string dir;  // the log's data directory
    uint64_t every = kDefaultSnapshotEvery;
    uint64_t command_retention = kMinCommandRetention;
    uint64_t newest = 0;  // the snapshot start-up began from; 0 if none
  };

  // Starts watching `log`, which must outlive the writer.
  SnapshotWriter(const log::EventLog& log, Options options);
  // Stops the thread; a snapshot being built is abandoned, one being written
  // finished.
  ~SnapshotWriter();

  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Waits until this writer has written a snapshot at `position` or later;
  // false if it has not by `timeout`.
  bool WaitForSnapshot(uint64_t position, absl::Duration timeout) const;

 private:
  void Run();
  bool Stopping() const;
  // Builds and writes the snapshot of the log as far as it is durable now;
  // its position.
  absl::StatusOr<uint64_t> WriteNext();

  const log::EventLog& log_;
  const Options options_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // the newest snapshot's position
  std::thread thread_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_
