#include "common/security/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace bank::security {

namespace {

constexpr off_t kMaxBytes = 1 << 20;

absl::Status OpenError(int error_number, absl::string_view what) {
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat(what, ": no such file"));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(absl::StrCat(what, ": not readable by this process"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": cannot be read: ", std::strerror(error_number)));
  }
}

}  // namespace

absl::StatusOr<std::string> ReadConfigFile(absl::string_view flag, const std::string& path) {
  const std::string what = absl::StrCat("--", flag, "=", path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(errno, what);
  std::string bytes;
  absl::Status status;
  struct stat info = {};
  if (::fstat(fd, &info) != 0) {
    status = OpenError(errno, what);
  } else if (!S_ISREG(info.st_mode)) {
    status = absl::InvalidArgumentError(absl::StrCat(
        what, S_ISDIR(info.st_mode) ? ": a directory, not a file" : ": not a regular file"));
  } else if (info.st_size > kMaxBytes) {
    status = absl::InvalidArgumentError(absl::StrCat(
        what, ": larger than ", kMaxBytes, " bytes, which no key, certificate or tokens file is"));
  } else {
    bytes.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (status.ok() && done < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = OpenError(errno, what);
      } else if (n == 0) {
        bytes.resize(done);  // it shrank while being read
      } else {
        done += static_cast<size_t>(n);
      }
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return bytes;
}

}  // namespace bank::security
