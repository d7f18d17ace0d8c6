#ifndef BANK_COMMAND_SERVICE_BANK_LOG_VERBS_H_
#define BANK_COMMAND_SERVICE_BANK_LOG_VERBS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/event_format.h"

namespace bank::bank_log {

// Exit statuses of bank-log.
inline constexpr int kExitWhole = 0;    // the log is whole
inline constexpr int kExitDamaged = 1;  // damaged or torn: start-up would refuse it or cut it
inline constexpr int kExitUsage = 2;  // usage error, or refused to run (DATA_DIR missing or in use)

struct DumpOptions {
  uint64_t after = 0;  // print events after this position only
  Format format = Format::kHuman;
};

// Runs `bank-log VERB DATA_DIR` with `args` the words after the flags
// (VERB DATA_DIR), and returns the exit status. Never writes to DATA_DIR: it
// holds a shared lock on it (so no command service starts meanwhile) and
// refuses a directory a live command service holds.
//
// verify: one report of the whole log on `out` (log_report.h).
// dump: the events after options.after on `out`, one line each in the format
// of `bankctl watch` (--json: `bankctl watch --json`); when the log is not
// whole, the report on `err` after the events read before the damage.
// Usage errors and refusals go to `err`.
int RunBankLog(const std::vector<std::string>& args, const DumpOptions& options, std::ostream& out,
               std::ostream& err);

}  // namespace bank::bank_log

#endif  // BANK_COMMAND_SERVICE_BANK_LOG_VERBS_H_
