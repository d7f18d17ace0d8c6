#include "common/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/posix_status.h"

namespace bank {
namespace {

// Takes the flock `operation` on `fd` without waiting; closes `fd` on failure.
absl::Status Lock(int fd, int operation, const std::string& dir, const std::string& path) {
  if (::flock(fd, operation | LOCK_NB) == 0) return absl::OkStatus();
  const int saved = errno;
  ::close(fd);
  if (saved == EWOULDBLOCK) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir, " is in use by another process (", path, " is locked)"));
  }
  return PosixError(saved, absl::StrCat("flock ", path));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", dir, ": ", error.message()));
  }
  const std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError(errno, absl::StrCat("open ", path));
  absl::Status locked = Lock(fd, LOCK_EX, dir, path);
  if (!locked.ok()) return locked;
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::AcquireShared(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat("data directory ", dir, " does not exist"));
  }
  const std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::unique_ptr<DataDirLock>(new DataDirLock(-1));
  if (fd < 0) return PosixError(errno, absl::StrCat("open ", path));
  absl::Status locked = Lock(fd, LOCK_SH, dir, path);
  if (!locked.ok()) return locked;
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace bank
