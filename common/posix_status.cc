#include "common/posix_status.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace bank {

absl::Status PosixError(int error_number, absl::string_view operation) {
  std::string message = absl::StrCat(operation, ": ", std::strerror(error_number));
  switch (error_number) {
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace bank
