#ifndef BANK_COMMON_POSIX_STATUS_H_
#define BANK_COMMON_POSIX_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank {

// An errno as a status naming the operation: "write /data/x.log: No space left
// on device". ENOSPC and EDQUOT map to RESOURCE_EXHAUSTED, every other I/O
// failure to UNAVAILABLE: the service cannot go on, the caller may retry later.
absl::Status PosixError(int error_number, absl::string_view operation);

}  // namespace bank

#endif  // BANK_COMMON_POSIX_STATUS_H_
