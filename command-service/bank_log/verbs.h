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

struct Options {
  uint64_t after = 0;  // dump: print events after this position only
  Format format = Format::kHuman;
  std::string from;                   // copy: the data directory
  std::string to;                     // copy: the PostgreSQL URI
  std::string store_schema = "bank";  // copy: the schema there
};

// Runs `bank-log VERB DATA_DIR` (or `bank-log copy`) with `args` the words
// after the flags, and returns the exit status. Never writes to DATA_DIR: it
// holds a shared lock on it (so no command service starts meanwhile) and
// refuses a directory a live command service holds.
//
// verify: one report of the whole log on `out` (log_report.h).
// dump: the events after options.after on `out`, one line each in the format
// of `bankctl watch` (--json: `bankctl watch --json`); when the log is not
// whole, the report on `err` after the events read before the damage.
// copy: every event of the log in options.from into the empty PostgreSQL
// store at options.to (schema options.store_schema), in one transaction,
// keeping positions, versions, command ids and recorded_at; refused (exit 2)
// when the store is not empty or cannot be reached, and (exit 1) when the log
// is not whole, with nothing stored either way.
// Usage errors and refusals go to `err`.
int RunBankLog(const std::vector<std::string>& args, const Options& options, std::ostream& out,
               std::ostream& err);

}  // namespace bank::bank_log

#endif  // BANK_COMMAND_SERVICE_BANK_LOG_VERBS_H_
