#ifndef BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_
#define BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
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

// Makes `bytes` the snapshot at `position` in `dir`, whole or not at all: a
// temporary file, synced, renamed into place, the directory synced. Then
// removes all but the newest kSnapshotsKept snapshots, and any temporary file
// a crash left.
absl::Status WriteSnapshotFile(const std::string& dir, uint64_t position, absl::string_view bytes);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FILES_H_
