#ifndef BANK_COMMON_OBSERVABILITY_LOGGING_H_
#define BANK_COMMON_OBSERVABILITY_LOGGING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank {

// Sets spdlog's default logger to stderr at `level` (trace, debug, info, warn,
// error, critical, off) in `format`: text (one human-readable line each) or
// json (one JSON object each, json_log_formatter.h). Routes gRPC's and
// Protobuf's own messages into that logger, so that every line the process
// writes has the one format. INVALID_ARGUMENT names the accepted values.
// Call once, in main(), before any thread starts.
absl::Status SetUpLogging(absl::string_view level, absl::string_view format);

}  // namespace bank

#endif  // BANK_COMMON_OBSERVABILITY_LOGGING_H_
