// bank-bench: load and timing figures for the command and query services.
// Flags and dispatch only; each subcommand lives in subcommands.cc.
//
//   bank-bench [FLAGS] commands|baseline|transfers|e2e|catchup|fill|rebuild
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "common/address_list.h"
#include "common/program_flags.h"
#include "tools/bench/report.h"
#include "tools/bench/subcommands.h"

ABSL_FLAG(std::string, command_service, "127.0.0.1:50051",
          "command service HOST:PORT, or replicas comma-separated: --channels go to them round "
          "robin (catchup and rebuild use the first)");
ABSL_FLAG(std::string, query_service, "127.0.0.1:50052", "query service HOST:PORT (e2e, rebuild)");
ABSL_FLAG(std::optional<int>, in_flight, std::nullopt,
          "calls kept in flight (default 64; e2e 16; fill 256)");
ABSL_FLAG(int, channels, 1, "channels, each on its own connection");
ABSL_FLAG(int, accounts, 10000, "accounts the load spreads over");
ABSL_FLAG(double, seconds, 10, "measured seconds of each load run");
ABSL_FLAG(double, warmup_seconds, 2, "unmeasured seconds before each load run");
ABSL_FLAG(bool, baseline, false, "commands: alternate with the health-check baseline");
ABSL_FLAG(
    int, rounds, 2,
    "commands --baseline: (baseline, commands) pairs; transfers: (deposits, transfers) pairs");
ABSL_FLAG(bool, command_ids, true, "send a unique command_id with every command");
ABSL_FLAG(double, rate, 1000, "e2e: commands per second of the lag measurement");
ABSL_FLAG(absl::Duration, read_deadline, absl::Seconds(5), "e2e: GetBalance deadline");
ABSL_FLAG(uint64_t, events, 1000000, "fill: deposits to write (one event each)");
ABSL_FLAG(uint64_t, head, 0, "rebuild: position to wait for; 0 = the command service's head");
ABSL_FLAG(absl::Duration, poll_interval, absl::Milliseconds(50), "rebuild: GetStatus period");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(600), "catchup, fill, rebuild: give up after");
ABSL_FLAG(std::string, account_prefix, "bench-", "account ids are PREFIX0000123");
ABSL_FLAG(bool, json, false, "print the figures as one JSON object");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA certificates to verify the services with (TLS)");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS; needs --tls_ca)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, token_file, "",
          "file holding the token Deposit, Withdraw and Transfer calls carry (commands, transfers, "
          "fill)");

namespace {

using bank::bench::BenchOptions;
using bank::bench::Report;

constexpr char kUsage[] =
    "bank-bench [FLAGS] SUBCOMMAND: load and timing figures for the bank services\n"
    "  commands   Deposit/Withdraw 3:1 mix, closed loop; --baseline alternates with baseline\n"
    "  baseline   grpc.health.v1.Health/Check of the command service, same load shape\n"
    "  transfers  Deposit-only and Transfer-only loads alternating --rounds times, calls/s each\n"
    "  e2e        read-your-writes latency, and OK-to-applied lag at --rate\n"
    "  catchup    Subscribe from 0 until the head, events/s\n"
    "  fill       --events deposits over --accounts accounts, each once before any twice\n"
    "  rebuild    poll the query service's GetStatus until applied_position reaches the head";

int DefaultInFlight(const std::string& verb) {
  if (verb == "e2e") return 16;
  if (verb == "fill") return 256;
  return 64;
}

BenchOptions OptionsFromFlags(const std::string& verb, std::vector<std::string> command_services) {
  BenchOptions o;
  o.command_services = std::move(command_services);
  o.query_service = absl::GetFlag(FLAGS_query_service);
  o.in_flight = absl::GetFlag(FLAGS_in_flight).value_or(DefaultInFlight(verb));
  o.channels = absl::GetFlag(FLAGS_channels);
  o.accounts = absl::GetFlag(FLAGS_accounts);
  o.duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  o.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  o.baseline = absl::GetFlag(FLAGS_baseline);
  o.rounds = absl::GetFlag(FLAGS_rounds);
  o.command_ids = absl::GetFlag(FLAGS_command_ids);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.read_deadline = absl::GetFlag(FLAGS_read_deadline);
  o.events = absl::GetFlag(FLAGS_events);
  o.head = absl::GetFlag(FLAGS_head);
  o.poll_interval = absl::GetFlag(FLAGS_poll_interval);
  o.timeout = absl::GetFlag(FLAGS_timeout);
  o.account_prefix = absl::GetFlag(FLAGS_account_prefix);
  return o;
}

std::optional<std::string> Invalid(const BenchOptions& o) {
  if (o.in_flight < 1) return "--in_flight must be at least 1";
  if (o.channels < 1) return "--channels must be at least 1";
  if (o.accounts < 1) return "--accounts must be at least 1";
  if (o.duration <= absl::ZeroDuration()) return "--seconds must be positive";
  if (o.warmup < absl::ZeroDuration()) return "--warmup_seconds must not be negative";
  if (o.rounds < 1) return "--rounds must be at least 1";
  if (o.rate <= 0) return "--rate must be positive";
  if (o.events < 1) return "--events must be at least 1";
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<char*> rest = bank::ParseProgramFlags(argc, argv, kUsage, __FILE__);
#ifdef NDEBUG
  // As in the services: Debian's Abseil checks every Mutex for deadlock
  // cycles, and gRPC's client pays for it on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  if (rest.size() != 2) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string verb = rest[1];
  absl::StatusOr<std::vector<std::string>> command_services =
      bank::ParseAddressList(absl::GetFlag(FLAGS_command_service));
  if (!command_services.ok()) {
    std::cerr << "bank-bench: --command_service: " << command_services.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<bank::security::ClientSecurity> security =
      bank::security::ClientSecurity::Load({.flag_prefix = "",
                                            .tls_ca = absl::GetFlag(FLAGS_tls_ca),
                                            .tls_cert = absl::GetFlag(FLAGS_tls_cert),
                                            .tls_key = absl::GetFlag(FLAGS_tls_key),
                                            .token_file = absl::GetFlag(FLAGS_token_file),
                                            .token = ""});
  if (!security.ok()) {
    std::cerr << "bank-bench: " << security.status().message() << "\n";
    return 2;
  }
  BenchOptions options = OptionsFromFlags(verb, *std::move(command_services));
  options.security = *std::move(security);
  if (std::optional<std::string> invalid = Invalid(options)) {
    std::cerr << "bank-bench: " << *invalid << "\n";
    return 2;
  }
  Report report;
  report.Text("subcommand", verb);
  absl::Status status;
  if (verb == "commands") {
    status = bank::bench::RunCommands(options, report);
  } else if (verb == "baseline") {
    status = bank::bench::RunBaseline(options, report);
  } else if (verb == "transfers") {
    status = bank::bench::RunTransfers(options, report);
  } else if (verb == "e2e") {
    status = bank::bench::RunEndToEnd(options, report);
  } else if (verb == "catchup") {
    status = bank::bench::RunCatchup(options, report);
  } else if (verb == "fill") {
    status = bank::bench::RunFill(options, report);
  } else if (verb == "rebuild") {
    status = bank::bench::RunRebuild(options, report);
  } else {
    std::cerr << "bank-bench: unknown subcommand " << verb << "\n" << kUsage << "\n";
    return 2;
  }
  std::cout << (absl::GetFlag(FLAGS_json) ? report.ToJson() : report.ToText()) << std::flush;
  if (!status.ok()) {
    std::cerr << "bank-bench: " << verb << ": " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
