#ifndef BANK_COMMON_SECURITY_CONFIG_FILE_H_
#define BANK_COMMON_SECURITY_CONFIG_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::security {

// The bytes of the file a flag names, read once at start-up. Errors name
// both, `--FLAG=PATH: ...`: NOT_FOUND when it does not exist,
// PERMISSION_DENIED when it may not be read, INVALID_ARGUMENT when it is a
// directory or larger than 1 MiB (no key, certificate or tokens file is).
absl::StatusOr<std::string> ReadConfigFile(absl::string_view flag, const std::string& path);

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_CONFIG_FILE_H_
