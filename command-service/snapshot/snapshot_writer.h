#ifndef BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_
#define BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "command-service/account_book.h"
#include "command-service/store/event_store.h"

namespace bank::command {

// The contract's default for --snapshot_every.
inline constexpr uint64_t kDefaultSnapshotEvery = 1'000'000;

// Writes a snapshot of the command side's state every `every` events, from a
// consistent cut and without pausing a command. Its thread follows the
// durable log into an AccountBook of its own, with the same fold as
// start-up's replay, so its state after any group is exactly what start-up
// would rebuild there; at a group boundary `every` events or more after its
// last snapshot it encodes that state and writes it (snapshot_files.h). The
// price is a second copy of the accounts and of the retention window's noted
// ids (32 bytes an id) in memory, and every event folded once more, on a
// thread no command waits for.
//
// It begins at the newest snapshot in the directory, or at the start of the
// log, and writes only when it has caught up with the head, so that catching
// up with a long log writes one snapshot, at its end, not one per interval.
class SnapshotWriter {
 public:
  struct Options {
    std::string dir;  // the log's data directory
    uint64_t every = kDefaultSnapshotEvery;
    uint64_t command_retention = kMinCommandRetention;
  };

  // Starts following `log`, which must outlive the writer.
  SnapshotWriter(const EventStore& log, Options options);
  // Stops the thread; a snapshot being written is finished first.
  ~SnapshotWriter();

  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Waits until this writer has written a snapshot at `position` or later;
  // false if it has not by `timeout`.
  bool WaitForSnapshot(uint64_t position, absl::Duration timeout) const;

 private:
  void Follow();
  bool Stopping() const;
  // Writes the snapshot of `book` at `position`; a failure is logged, and the
  // next interval tries again.
  void Write(const AccountBook& book, uint64_t position);

  const EventStore& log_;
  const Options options_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // the newest snapshot's position
  std::thread thread_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_WRITER_H_
