#include "command-service/store/file/file_ops.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "command-service/store/file/segment.h"
#include "common/posix_status.h"

namespace bank::log {

FileOps FileOps::Posix() {
  return FileOps{
      .pwrite = [](int fd, const void* data, size_t size,
                   off_t offset) { return ::pwrite(fd, data, size, offset); },
      .fdatasync = [](int fd) { return ::fdatasync(fd); },
  };
}

absl::Status WriteFully(const FileOps& ops, int fd, const std::string& path, const char* data,
                        size_t size, off_t offset) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ops.pwrite(fd, data + done, size - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PosixError(errno, absl::StrCat("write ", path));
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& dir) {
  ScopedFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, absl::StrCat("open directory ", dir));
  if (::fsync(fd.get()) != 0) return PosixError(errno, absl::StrCat("fsync directory ", dir));
  return absl::OkStatus();
}

absl::Status Preallocate(int fd, const std::string& path, uint64_t size) {
  // fallocate(2), not posix_fallocate: glibc's fallback would write every
  // block with zeros where the file system cannot allocate.
  int result;
  do {
    result = ::fallocate(fd, 0, 0, static_cast<off_t>(size));
  } while (result != 0 && errno == EINTR);
  if (result == 0 || errno == EOPNOTSUPP) return absl::OkStatus();
  return PosixError(errno, absl::StrCat("preallocate ", size, " bytes for ", path));
}

}  // namespace bank::log
