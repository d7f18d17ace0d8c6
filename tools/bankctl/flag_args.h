#ifndef BANK_TOOLS_BANKCTL_FLAG_ARGS_H_
#define BANK_TOOLS_BANKCTL_FLAG_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace bank::bankctl {

struct LeadingFlags {
  // --help, -h, --helpfull or -help was among the flags; nothing was set.
  bool help_requested = false;
  // The subcommand and its arguments: everything after the flags, verbatim,
  // so an AMOUNT like -5 reaches the subcommand parser instead of being read
  // as a flag.
  std::vector<std::string> rest;
};

// Sets the Abseil flags found at the front of `args` (argv without argv[0])
// and returns what follows them. Flags end at the first argument that does not
// start with '-' or after a lone "--". Accepted forms: --name=value,
// --name value, and for bools --name and --noname; one leading dash works too.
//
// This replaces absl::ParseCommandLine, which exits the process with status 1
// on a bad flag: bankctl's contract makes every usage error exit 2, so errors
// come back as INVALID_ARGUMENT (unknown flag, bad value, missing value).
// Not thread-safe: it writes global flags, so call it once from main().
absl::StatusOr<LeadingFlags> ApplyLeadingFlags(absl::Span<const std::string> args);

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_FLAG_ARGS_H_
