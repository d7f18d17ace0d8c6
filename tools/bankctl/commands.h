#ifndef BANK_TOOLS_BANKCTL_COMMANDS_H_
#define BANK_TOOLS_BANKCTL_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "tools/bankctl/client.h"
#include "tools/bankctl/command_line.h"
#include "tools/bankctl/output.h"

namespace bank::bankctl {

// bankctl's exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;  // the server answered with an error
inline constexpr int kExitUsage = 2;    // bad command line, or no server reached in time

// 0 for OK; 2 for UNAVAILABLE and DEADLINE_EXCEEDED (the service could not be
// reached, or did not answer in time); 1 for every other code.
int ExitCodeFor(const absl::Status& status);

// The flags that shape a subcommand, read from Abseil flags by main().
struct RunOptions {
  Format format = Format::kHuman;
  std::string command_id;                    // deposit, withdraw
  std::optional<uint64_t> expected_version;  // deposit, withdraw; unset = not sent
  uint64_t after_position = 0;               // watch
};

// Runs `invocation` with `client`, writing results to `out` (one line each,
// flushed per line) and errors to `err` as "CODE: message". Returns the exit
// status. `watch` runs until the stream ends or SIGINT/SIGTERM arrives, which
// the caller must have blocked (BlockInterruptSignals) before creating
// `client`; an interrupted watch exits 0.
int RunInvocation(const Invocation& invocation, const RunOptions& options, BankClient& client,
                  std::ostream& out, std::ostream& err);

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_COMMANDS_H_
