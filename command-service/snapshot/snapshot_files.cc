#include "command-service/snapshot/snapshot_files.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "command-service/store/file/file_ops.h"
#include "command-service/store/file/segment.h"
#include "common/posix_status.h"

namespace bank::command {
namespace {

constexpr absl::string_view kSuffix = ".snap";
constexpr absl::string_view kTemporarySuffix = ".snap.tmp";

struct SnapshotFile {
  uint64_t position;
  std::string path;
};

// The snapshots in `dir`, newest first. Files that are not snapshots are
// not ours to judge (the log's segments live here too).
std::vector<SnapshotFile> ListSnapshots(const std::string& dir) {
  std::vector<SnapshotFile> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (std::optional<uint64_t> position = log::ParsePositionFileName(name, kSuffix)) {
      files.push_back({*position, entry.path().string()});
    }
  }
  if (error) spdlog::warn("cannot list the snapshots in {}: {}", dir, error.message());
  std::sort(files.begin(), files.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.position > b.position; });
  return files;
}

// A snapshot file mapped read-only for as long as it is decoded. Mapped,
// not read: its pages come straight from the page cache, with no buffer to
// allocate, zero and copy into (at a million ids, 32 MB: most of what loading
// cost). A snapshot never changes once renamed into place, and the data
// directory's lock keeps every other process of ours out of it.
class MappedFile {
 public:
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    log::ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError(errno, absl::StrCat("open ", path));
    struct stat status;
    if (::fstat(fd.get(), &status) != 0) return PosixError(errno, absl::StrCat("stat ", path));
    const size_t size = static_cast<size_t>(status.st_size);
    if (size == 0) return std::unique_ptr<MappedFile>(new MappedFile(nullptr, 0));
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
    if (data == MAP_FAILED) return PosixError(errno, absl::StrCat("map ", path));
    return std::unique_ptr<MappedFile>(new MappedFile(data, size));
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  absl::string_view bytes() const {
    return absl::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
};

absl::StatusOr<Snapshot> LoadSnapshot(const SnapshotFile& file, uint64_t command_retention) {
  absl::StatusOr<std::unique_ptr<MappedFile>> mapped = MappedFile::Open(file.path);
  if (!mapped.ok()) return mapped.status();
  absl::StatusOr<Snapshot> snapshot = DecodeSnapshot((*mapped)->bytes(), command_retention);
  if (snapshot.ok() && snapshot->position != file.position) {
    return absl::DataLossError(
        absl::StrCat("it holds the state at position ", snapshot->position, ", not its name's"));
  }
  return snapshot;
}

absl::Status WriteTemporary(const std::string& path, absl::string_view bytes) {
  log::ScopedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return PosixError(errno, absl::StrCat("create ", path));
  if (absl::Status written =
          log::WriteFully(log::FileOps::Posix(), fd.get(), path, bytes.data(), bytes.size(), 0);
      !written.ok()) {
    return written;
  }
  if (::fdatasync(fd.get()) != 0) return PosixError(errno, absl::StrCat("fdatasync ", path));
  return absl::OkStatus();
}

// Removes the snapshots past the newest kSnapshotsKept, and temporary files
// a crash left. A file that will not go is only logged: it costs disk, not
// correctness.
void RemoveOldSnapshots(const std::string& dir) {
  std::vector<std::string> doomed;
  const std::vector<SnapshotFile> snapshots = ListSnapshots(dir);
  for (size_t i = kSnapshotsKept; i < snapshots.size(); ++i) doomed.push_back(snapshots[i].path);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (absl::EndsWith(entry.path().filename().string(), kTemporarySuffix)) {
      doomed.push_back(entry.path().string());
    }
  }
  for (const std::string& path : doomed) {
    if (::unlink(path.c_str()) != 0) spdlog::warn("cannot remove {}: {}", path, strerror(errno));
  }
}

}  // namespace

std::string SnapshotFileName(uint64_t position) { return log::PositionFileName(position, kSuffix); }

std::optional<Snapshot> LoadNewestSnapshot(const std::string& dir, uint64_t command_retention,
                                           uint64_t at_most) {
  for (const SnapshotFile& file : ListSnapshots(dir)) {
    if (file.position > at_most) {
      spdlog::warn("snapshot {} skipped: it is past the log's head at position {}", file.path,
                   at_most);
      continue;
    }
    absl::StatusOr<Snapshot> snapshot = LoadSnapshot(file, command_retention);
    if (snapshot.ok()) return std::move(*snapshot);
    spdlog::warn("snapshot {} skipped ({}): {}", file.path,
                 absl::StatusCodeToString(snapshot.status().code()),
                 std::string(snapshot.status().message()));
  }
  return std::nullopt;
}

absl::Status WriteSnapshotFile(const std::string& dir, uint64_t position, absl::string_view bytes) {
  const std::string path = absl::StrCat(dir, "/", SnapshotFileName(position));
  const std::string temporary = absl::StrCat(dir, "/", SnapshotFileName(position), ".tmp");
  if (absl::Status written = WriteTemporary(temporary, bytes); !written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return PosixError(errno, absl::StrCat("rename ", temporary, " to ", path));
  }
  if (absl::Status synced = log::SyncDirectory(dir); !synced.ok()) return synced;
  RemoveOldSnapshots(dir);
  return absl::OkStatus();
}

}  // namespace bank::command
