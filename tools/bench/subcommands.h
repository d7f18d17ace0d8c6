#ifndef BANK_TOOLS_BENCH_SUBCOMMANDS_H_
#define BANK_TOOLS_BENCH_SUBCOMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/security/client_security.h"
#include "tools/bench/report.h"

namespace bank::bench {

// Everything the subcommands read from the command line (see main.cc).
struct BenchOptions {
  // Replicas of the command service; --channels are spread over them.
  std::vector<std::string> command_services = {"127.0.0.1:50051"};
  std::string query_service = "127.0.0.1:50052";
  int in_flight = 64;
  int channels = 1;
  int accounts = 10000;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
  bool baseline = false;  // commands: alternate with the health baseline
  int rounds = 2;         // commands --baseline, transfers: rounds of each of the pair
  bool command_ids = true;
  double rate = 1000;  // e2e: paced commands per second
  absl::Duration read_deadline = absl::Seconds(5);
  uint64_t events = 1000000;  // fill
  uint64_t head = 0;          // rebuild: 0 = ask the command service
  absl::Duration poll_interval = absl::Milliseconds(50);
  absl::Duration timeout = absl::Seconds(600);
  std::string account_prefix = "bench-";
  // Every channel's credentials; the token of Deposit and Withdraw calls.
  security::ClientSecurity security;
};

// Each runs one subcommand, adding its figures to `report`. An error means
// the figures cannot be trusted (the service was unreachable, calls failed
// in a way the load does not expect, ...).
absl::Status RunCommands(const BenchOptions& options, Report& report);
absl::Status RunBaseline(const BenchOptions& options, Report& report);
absl::Status RunTransfers(const BenchOptions& options, Report& report);
absl::Status RunEndToEnd(const BenchOptions& options, Report& report);
absl::Status RunCatchup(const BenchOptions& options, Report& report);
absl::Status RunFill(const BenchOptions& options, Report& report);
absl::Status RunRebuild(const BenchOptions& options, Report& report);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_SUBCOMMANDS_H_
