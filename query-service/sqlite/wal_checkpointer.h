#ifndef BANK_QUERY_SERVICE_SQLITE_WAL_CHECKPOINTER_H_
#define BANK_QUERY_SERVICE_SQLITE_WAL_CHECKPOINTER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "query-service/sqlite/sqlite_db.h"

namespace bank::query {

// Checkpoints the projection's WAL mostly off the commit path.
//
// SQLite's default runs the checkpoint inside the commit that takes the WAL
// past 1000 pages, and a checkpoint fsyncs the WAL and the database: a commit
// every few hundred then takes milliseconds, and so does every read-your-writes
// wait behind it. Here a thread with its own connection copies the WAL into
// the database each time it has grown by kCheckpointPages, in PASSIVE mode,
// which never blocks the writer or the readers. But the WAL only starts over
// from its beginning when a writer finds it fully copied and unread, which a
// busy writer racing the thread may never do; so once the WAL holds
// kWriterCheckpointPages the writer checkpoints itself, right after its
// commit, in RESTART mode (it waits for the thread's copy and for readers):
// by then the thread has copied nearly everything, so that is short, and rare
// (every ~3 s at 1000 single-event commits a second). The WAL stays near
// 40 MB at most.
class WalCheckpointer {
 public:
  static constexpr int kCheckpointPages = 1000;         // SQLite's own threshold
  static constexpr int kWriterCheckpointPages = 10000;  // 4 KiB pages

  // Opens a connection to the database at `path` and takes over `writer`'s
  // checkpoints. `writer` must outlive the checkpointer.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                                SqliteDb& writer);
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  // Gives `writer` its own checkpoints back and stops the thread.
  ~WalCheckpointer();

 private:
  WalCheckpointer(SqliteDb& writer, std::unique_ptr<SqliteDb> db);

  // The writer's WAL hook: called after each commit, on the writer's thread,
  // with the writer's connection free for its own checkpoint.
  void OnCommit(int wal_pages) ABSL_LOCKS_EXCLUDED(mu_);
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ ||
           (!checkpoint_running_ && wal_pages_ - checkpointed_pages_ >= kCheckpointPages);
  }

  SqliteDb& writer_;
  const std::unique_ptr<SqliteDb> db_;  // used by the thread only

  absl::Mutex mu_;
  int wal_pages_ ABSL_GUARDED_BY(mu_) = 0;                // after the last commit
  int checkpointed_pages_ ABSL_GUARDED_BY(mu_) = 0;       // WAL size at the last checkpoint
  bool checkpoint_running_ ABSL_GUARDED_BY(mu_) = false;  // by either connection
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_SQLITE_WAL_CHECKPOINTER_H_
