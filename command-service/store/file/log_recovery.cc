#include "command-service/store/file/log_recovery.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "command-service/store/file/file_ops.h"
#include "common/posix_status.h"

namespace bank::log {
namespace {

// A torn tail or a torn creation can only hold what was never acknowledged:
// a reply waits for the fdatasync that covers its record.
absl::Status CutTornTail(int fd, const TornEnd& torn) {
  spdlog::warn(
      "cutting a torn tail off {}: {} bytes from offset {} (a write the crash interrupted; "
      "it was never acknowledged)",
      torn.path, torn.size - torn.offset, torn.offset);
  if (::ftruncate(fd, static_cast<off_t>(torn.offset)) != 0) {
    return PosixError(errno, absl::StrCat("truncate ", torn.path));
  }
  if (::fdatasync(fd) != 0) return PosixError(errno, absl::StrCat("fdatasync ", torn.path));
  return absl::OkStatus();
}

absl::Status RemoveTornSegment(const TornEnd& torn) {
  spdlog::warn(
      "removing {}: its header was never completely written (a crash while creating the "
      "segment)",
      torn.path);
  if (::unlink(torn.path.c_str()) != 0) {
    return PosixError(errno, absl::StrCat("remove ", torn.path));
  }
  return SyncDirectory(std::filesystem::path(torn.path).parent_path().string());
}

}  // namespace

absl::StatusOr<RecoveredLog> RecoverLog(const std::string& dir, size_t index_every,
                                        StoredEventVisitor visit, const SnapshotCut& cut) {
  absl::StatusOr<RecoveredLog> log = ScanLog(dir, index_every, visit, cut);
  if (!log.ok()) return log.status();
  if (log->torn_end.has_value() && log->torn_end->kind == TornEnd::Kind::kSegmentCreation) {
    absl::Status removed = RemoveTornSegment(*log->torn_end);
    if (!removed.ok()) return removed;
  }
  if (log->segments.empty()) return log;
  // The scan's descriptors are read-only; appends go to the last segment.
  Segment& last = *log->segments.back();
  ScopedFd fd(::open(last.path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, absl::StrCat("open ", last.path));
  if (log->torn_end.has_value() && log->torn_end->kind == TornEnd::Kind::kTail) {
    absl::Status cut = CutTornTail(fd.get(), *log->torn_end);
    if (!cut.ok()) return cut;
  }
  last.fd = std::move(fd);
  return log;
}

}  // namespace bank::log
