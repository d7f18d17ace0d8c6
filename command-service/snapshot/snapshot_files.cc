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
// allocate, zero and copy into (at a million ids, 15 MB: most of what loading
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

absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> SnapshotFileWriter::Create(
    const std::string& dir, uint64_t position) {
  std::string path = absl::StrCat(dir, "/", SnapshotFileName(position));
  const std::string temporary = absl::StrCat(path, ".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError(errno, absl::StrCat("create ", temporary));
  return std::unique_ptr<SnapshotFileWriter>(new SnapshotFileWriter(dir, std::move(path), fd));
}

SnapshotFileWriter::SnapshotFileWriter(std::string dir, std::string path, int fd)
    : dir_(std::move(dir)), path_(std::move(path)), temporary_(path_ + ".tmp"), fd_(fd) {}

SnapshotFileWriter::~SnapshotFileWriter() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
}

absl::Status SnapshotFileWriter::Append(absl::string_view bytes) {
  if (absl::Status written = log::WriteFully(log::FileOps::Posix(), fd_, temporary_, bytes.data(),
                                             bytes.size(), written_);
      !written.ok()) {
    return written;
  }
  written_ += bytes.size();
  for (; written_ - handed_ >= kSnapshotSyncBytes; handed_ += kSnapshotSyncBytes) {
    const auto stretch = static_cast<off64_t>(kSnapshotSyncBytes);
    const auto start = static_cast<off64_t>(handed_);
    bool synced = ::sync_file_range(fd_, start, stretch, SYNC_FILE_RANGE_WRITE) == 0;
    if (synced && handed_ > 0) {
      synced = ::sync_file_range(fd_, start - stretch, stretch,
                                 SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                     SYNC_FILE_RANGE_WAIT_AFTER) == 0;
    }
    if (!synced) return PosixError(errno, absl::StrCat("sync_file_range ", temporary_));
  }
  return absl::OkStatus();
}

absl::Status SnapshotFileWriter::Commit() {
  if (::fdatasync(fd_) != 0) return PosixError(errno, absl::StrCat("fdatasync ", temporary_));
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    return PosixError(errno, absl::StrCat("rename ", temporary_, " to ", path_));
  }
  ::close(fd_);
  fd_ = -1;
  if (absl::Status synced = log::SyncDirectory(dir_); !synced.ok()) return synced;
  RemoveOldSnapshots(dir_);
  return absl::OkStatus();
}

}  // namespace bank::command
