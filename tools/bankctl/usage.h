#ifndef BANK_TOOLS_BANKCTL_USAGE_H_
#define BANK_TOOLS_BANKCTL_USAGE_H_

#include "absl/strings/string_view.h"

namespace bank::bankctl {

// The text `bankctl --help` (or bankctl with no arguments) prints to stderr:
// subcommands, flags, output formats and exit statuses. The formats it shows
// are a promise to scripts; output.h produces them.
absl::string_view UsageText();

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_USAGE_H_
