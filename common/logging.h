#ifndef BANK_COMMON_LOGGING_H_
#define BANK_COMMON_LOGGING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank {

// Sets spdlog's default logger to stderr at `level` (trace, debug, info, warn,
// error, critical, off). INVALID_ARGUMENT names the accepted levels.
absl::Status SetUpLogging(absl::string_view level);

}  // namespace bank

#endif  // BANK_COMMON_LOGGING_H_
