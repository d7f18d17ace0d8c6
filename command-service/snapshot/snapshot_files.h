#ifndef BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_
#define BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/snapshot/snapshot_format.h"

namespace bank::command {

// Snapshots kept in a data directory: the newest and the one before it, so
// that a damaged newest one still leaves a recent one to start from.
inline constexpr size_t kSnapshotsKept = 2;

// "00000000000001000000.snap": the position the snapshot's state ends at, in
// 20 digits, so that names sort by position.
std::string SnapshotFileName(uint64_t position);

// The newest snapshot in `dir` that decodes (DecodeSnapshot, into a book
// keeping `command_retention` ids) and holds no event past `at_most`. Every
// snapshot passed over is logged with a warning saying why; nullopt when none
// is left, and start-up replays the whole log. Never fails: the log is the
// system of record, a snapshot only a shortcut.
std::optional<Snapshot> LoadNewestSnapshot(const std::string& dir, uint64_t command_retention,
                                           uint64_t at_most = std::numeric_limits<uint64_t>::max());

// How much of a snapshot being written is handed to the disk at a time.
inline constexpr uint64_t kSnapshotSyncBytes = 4 << 20;

// A snapshot being written into `dir`, whole or not at all: its bytes go to
// a temporary file, and Commit() syncs it, renames it into place and syncs
// the directory, then removes all but the newest kSnapshotsKept snapshots and
// any temporary file a crash left. Destroyed uncommitted, it removes its
// temporary file.
//
// Written back as it goes: every kSnapshotSyncBytes appended are handed to
// the disk at once (sync_file_range), and the stretch before them waited
// for, so that at most two stretches are ever dirty. The final fdatasync is
// then short, and the log's own fdatasyncs never queue behind tens of
// megabytes of snapshot (RocksDB's bytes_per_sync, for the same reason).
class SnapshotFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> Create(const std::string& dir,
                                                                    uint64_t position);
  ~SnapshotFileWriter();
  SnapshotFileWriter(const SnapshotFileWriter&) = delete;
  SnapshotFileWriter& operator=(const SnapshotFileWriter&) = delete;

  absl::Status Append(absl::string_view bytes);
  absl::Status Commit();

 private:
  SnapshotFileWriter(std::string dir, std::string path, int fd);

  const std::string dir_;
  const std::string path_;
  const std::string temporary_;
  int fd_;  // -1 once committed
  uint64_t written_ = 0;
  uint64_t handed_ = 0;  // bytes handed to the disk, in whole stretches
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_
