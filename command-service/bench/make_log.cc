// bank-make-log: writes a command-service data directory of N deposits over K
// accounts, through the service's own CommandHandler and EventLog (so the log
// is byte for byte what the service would write), without gRPC: 10M events
// take seconds instead of minutes. For start-up and catch-up benchmarks.
//
//   bank-make-log --data_dir=DIR --events=10000000 --accounts=10000

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "command-service/command_handler.h"
#include "command-service/recovered_state.h"
#include "common/program_flags.h"

ABSL_FLAG(std::string, data_dir, "",
          "the data directory to fill (created; appended to if it has a log)");
ABSL_FLAG(uint64_t, events, 1'000'000, "deposits to append");
ABSL_FLAG(uint64_t, accounts, 10'000, "over this many accounts, round robin (acct-0000000 ...)");
ABSL_FLAG(bool, command_ids, true,
          "give every deposit its own command id, as bank-bench fill does");

namespace bank::bench {
namespace {

constexpr int kInFlight = 4096;
// The handler commits on its callers' threads: while one submitter writes and
// syncs a group, the other queues the next one.
constexpr int kSubmitters = 2;

int Run() {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) {
    spdlog::critical("--data_dir is required");
    return EXIT_FAILURE;
  }
  std::filesystem::create_directories(dir);
  absl::StatusOr<command::RecoveredState> recovered = command::RecoverState({.dir = dir});
  if (!recovered.ok()) {
    spdlog::critical("cannot open {}: {}", dir, recovered.status().ToString());
    return EXIT_FAILURE;
  }
  command::CommandHandler handler(*recovered->log, std::move(recovered->book));

  absl::Mutex mu;
  int in_flight = 0;
  absl::Status first_error;
  const uint64_t events = absl::GetFlag(FLAGS_events);
  const uint64_t accounts = absl::GetFlag(FLAGS_accounts);
  const std::string run = absl::StrCat(absl::ToUnixNanos(absl::Now()));
  const absl::Time start = absl::Now();
  auto submit = [&](int submitter) {
    for (uint64_t i = submitter; i < events; i += kSubmitters) {
      {
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(
            +[](int* n) { return *n < kInFlight; }, &in_flight));
        if (!first_error.ok()) return;
        ++in_flight;
      }
      command::Command deposit{
          .kind = command::CommandKind::kDeposit,
          .account_id = absl::StrFormat("acct-%07d", i % accounts),
          .amount = 1 + static_cast<int64_t>(i % 10000),
          .command_id = absl::GetFlag(FLAGS_command_ids) ? absl::StrCat(run, "-", i) : "",
          .expected_version = std::nullopt,
          .principal = "",
          .to_account_id = "",
      };
      handler.Execute(std::move(deposit), [&](absl::StatusOr<bank::v1::CommandReply> reply) {
        absl::MutexLock lock(&mu);
        if (!reply.ok() && first_error.ok()) first_error = reply.status();
        --in_flight;
      });
    }
  };
  std::vector<std::thread> submitters;
  for (int submitter = 0; submitter < kSubmitters; ++submitter) {
    submitters.emplace_back(submit, submitter);
  }
  for (std::thread& thread : submitters) thread.join();
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight));
  if (!first_error.ok()) {
    spdlog::critical("a deposit failed: {}", first_error.ToString());
    return EXIT_FAILURE;
  }
  const absl::Duration took = absl::Now() - start;
  spdlog::info("appended {} deposits over {} accounts to {} in {} ({:.0f}/s); head {}", events,
               accounts, dir, absl::FormatDuration(took), events / absl::ToDoubleSeconds(took),
               recovered->log->durable_head());
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bank::bench

int main(int argc, char** argv) {
  bank::ParseProgramFlags(
      argc, argv,
      "bank-make-log --data_dir=DIR [--events=N] [--accounts=K]: a command-service data "
      "directory of N deposits, written through the service's own handler and log",
      __FILE__);
  return bank::bench::Run();
}
