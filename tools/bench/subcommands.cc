#include "tools/bench/subcommands.h"

#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/catchup.h"
#include "tools/bench/channels.h"
#include "tools/bench/command_workload.h"
#include "tools/bench/health_workload.h"
#include "tools/bench/latency_histogram.h"
#include "tools/bench/load_runner.h"
#include "tools/bench/paced_runner.h"
#include "tools/bench/read_your_writes_workload.h"
#include "tools/bench/rebuild.h"
#include "tools/bench/workload.h"

namespace bank::bench {
namespace {

constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

// `count` connected channels spread over `replicas` round robin.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> Connect(
    const std::vector<std::string>& replicas, int count,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  const std::vector<std::string> addresses = SpreadOverReplicas(replicas, count);
  std::vector<std::shared_ptr<grpc::Channel>> channels = MakeChannels(addresses, credentials);
  if (const int failed = FirstNotConnected(channels, kConnectTimeout); failed >= 0) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", addresses[failed]));
  }
  return channels;
}

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> Connect(
    const std::string& address, int count,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  return Connect(std::vector<std::string>{address}, count, credentials);
}

// Unique per process, so command ids never collide with an earlier run's.
std::string RunId() {
  return absl::StrFormat("b%x-%x", ::getpid(),
                         static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())));
}

ClosedLoopOptions LoopOptions(const BenchOptions& options) {
  return {.in_flight = options.in_flight,
          .warmup = options.warmup,
          .duration = options.duration,
          .max_calls = 0};
}

CommandMix MixOf(const BenchOptions& options) {
  CommandMix mix;
  mix.accounts = options.accounts;
  mix.command_ids = options.command_ids;
  mix.account_prefix = options.account_prefix;
  mix.run_id = RunId();
  mix.security = &options.security;
  return mix;
}

absl::Status ExpectSomeOk(const std::string& what, const LoadResult& result) {
  if (result.Count(grpc::StatusCode::OK) > 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": no call succeeded"));
}

// Two workloads, `rounds` times each, alternating on the same connections,
// which spreads the machine's drift over both: each round's figures in
// `report` (roundN_NAME), and both workloads' over all rounds.
struct Alternated {
  double first_rate = 0;  // calls/s, the mean over rounds
  double second_rate = 0;
  LatencyHistogram first_latency;
  LatencyHistogram second_latency;
};
absl::StatusOr<Alternated> RunAlternating(const BenchOptions& options,
                                          const std::string& first_name, Workload& first,
                                          const std::string& second_name, Workload& second,
                                          Report& report) {
  Alternated both;
  for (int round = 1; round <= options.rounds; ++round) {
    const LoadResult first_load = RunClosedLoop(LoopOptions(options), first);
    const LoadResult second_load = RunClosedLoop(LoopOptions(options), second);
    report.Load(absl::StrCat("round", round, "_", first_name), first_load);
    report.Load(absl::StrCat("round", round, "_", second_name), second_load);
    if (absl::Status s = ExpectSomeOk(first_name, first_load); !s.ok()) return s;
    if (absl::Status s = ExpectSomeOk(second_name, second_load); !s.ok()) return s;
    both.first_latency.Merge(first_load.latency);
    both.second_latency.Merge(second_load.latency);
    both.first_rate += first_load.CallsPerSecond() / options.rounds;
    both.second_rate += second_load.CallsPerSecond() / options.rounds;
  }
  return both;
}

}  // namespace

absl::Status RunBaseline(const BenchOptions& options, Report& report) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(options.command_services, options.channels, options.security.credentials());
  if (!channels.ok()) return channels.status();
  HealthWorkload health(*channels);
  const LoadResult result = RunClosedLoop(LoopOptions(options), health);
  report.Number("in_flight", options.in_flight);
  report.Number("channels", options.channels);
  report.Load("baseline", result);
  return ExpectSomeOk("baseline", result);
}

absl::Status RunCommands(const BenchOptions& options, Report& report) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(options.command_services, options.channels, options.security.credentials());
  if (!channels.ok()) return channels.status();
  report.Number("in_flight", options.in_flight);
  report.Number("channels", options.channels);
  report.Number("accounts", options.accounts);
  CommandWorkload commands(*channels, MixOf(options), options.in_flight);
  if (!options.baseline) {
    const LoadResult result = RunClosedLoop(LoopOptions(options), commands);
    report.Load("commands", result);
    return ExpectSomeOk("commands", result);
  }
  HealthWorkload health(*channels);
  absl::StatusOr<Alternated> both =
      RunAlternating(options, "baseline", health, "commands", commands, report);
  if (!both.ok()) return both.status();
  report.Number("baseline_calls_per_s", both->first_rate);
  report.Latency("baseline", both->first_latency);
  report.Number("commands_calls_per_s", both->second_rate);
  report.Latency("commands", both->second_latency);
  report.Number("throughput_ratio", both->first_rate > 0 ? both->second_rate / both->first_rate : 0,
                3);
  report.Duration("p99_difference_us", both->second_latency.PercentileDuration(0.99) -
                                           both->first_latency.PercentileDuration(0.99));
  return absl::OkStatus();
}

absl::Status RunTransfers(const BenchOptions& options, Report& report) {
  if (options.accounts < 2) return absl::InvalidArgumentError("transfers needs --accounts >= 2");
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(options.command_services, options.channels, options.security.credentials());
  if (!channels.ok()) return channels.status();
  report.Number("in_flight", options.in_flight);
  report.Number("channels", options.channels);
  report.Number("accounts", options.accounts);
  CommandMix deposit_mix = MixOf(options);
  deposit_mix.deposits = 1;
  deposit_mix.withdraws = 0;
  CommandMix transfer_mix = MixOf(options);
  transfer_mix.run_id += "-t";
  transfer_mix.deposits = 0;
  transfer_mix.withdraws = 0;
  transfer_mix.transfers = 1;
  CommandWorkload deposits(*channels, deposit_mix, options.in_flight);
  CommandWorkload transfers(*channels, transfer_mix, options.in_flight);
  // Each deposit round also funds the transfers after it.
  absl::StatusOr<Alternated> both =
      RunAlternating(options, "deposits", deposits, "transfers", transfers, report);
  if (!both.ok()) return both.status();
  const double deposit_rate = both->first_rate, transfer_rate = both->second_rate;
  report.Number("deposits_per_s", deposit_rate);
  report.Latency("deposits", both->first_latency);
  report.Number("transfers_per_s", transfer_rate);
  report.Latency("transfers", both->second_latency);
  report.Number("transfer_to_deposit_ratio", deposit_rate > 0 ? transfer_rate / deposit_rate : 0,
                3);
  return absl::OkStatus();
}

absl::Status RunEndToEnd(const BenchOptions& options, Report& report) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> commands =
      Connect(options.command_services, options.channels, options.security.credentials());
  if (!commands.ok()) return commands.status();
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> queries =
      Connect(options.query_service, options.channels, options.security.credentials());
  if (!queries.ok()) return queries.status();
  ReadYourWritesOptions ryw;
  ryw.accounts = options.accounts;
  ryw.read_deadline = options.read_deadline;
  ryw.account_prefix = "ryw-";

  // Read-your-writes, closed loop.
  {
    ReadYourWritesWorkload workload(*commands, *queries, ryw, options.in_flight);
    const absl::Time from = absl::Now() + options.warmup;
    workload.SetWindow(from, from + options.duration);
    const LoadResult total = RunClosedLoop(LoopOptions(options), workload);
    const ReadPart read = workload.TakeReadPart();
    report.Number("ryw_in_flight", options.in_flight);
    report.Load("ryw_total", total);
    report.Latency("ryw_read", read.latency);
    for (const auto& [code, count] : read.by_status) {
      report.Number(absl::StrCat("ryw_read_status_", StatusCodeName(code)),
                    static_cast<double>(count));
    }
    if (absl::Status s = ExpectSomeOk("read-your-writes", total); !s.ok()) return s;
  }
  // OK-to-applied lag at a steady rate, open loop.
  {
    PacedOptions paced{.rate = options.rate,
                       .warmup = absl::Seconds(1),
                       .duration = options.duration,
                       .max_in_flight = 512};
    ReadYourWritesWorkload workload(*commands, *queries, ryw, paced.max_in_flight);
    const absl::Time from = absl::Now() + paced.warmup;
    workload.SetWindow(from, from + paced.duration);
    const LoadResult total = RunPaced(paced, workload);
    const ReadPart lag = workload.TakeReadPart();
    report.Number("lag_rate", options.rate);
    report.Load("lag_total", total);
    report.Latency("lag", lag.latency);
    for (const auto& [code, count] : lag.by_status) {
      report.Number(absl::StrCat("lag_status_", StatusCodeName(code)), static_cast<double>(count));
    }
    if (absl::Status s = ExpectSomeOk("lag", total); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RunCatchup(const BenchOptions& options, Report& report) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(options.command_services, 1, options.security.credentials());
  if (!channels.ok()) return channels.status();
  absl::StatusOr<CatchupResult> result = MeasureCatchup(channels->front(), options.timeout);
  if (!result.ok()) return result.status();
  report.Number("catchup_head", static_cast<double>(result->head));
  report.Number("catchup_events", static_cast<double>(result->events));
  report.Number("catchup_messages", static_cast<double>(result->messages));
  report.Duration("catchup_elapsed_us", result->elapsed);
  report.Number("catchup_events_per_s", result->EventsPerSecond());
  return absl::OkStatus();
}

absl::Status RunFill(const BenchOptions& options, Report& report) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(options.command_services, options.channels, options.security.credentials());
  if (!channels.ok()) return channels.status();
  CommandMix mix = MixOf(options);
  mix.deposits = 1;
  mix.withdraws = 0;
  mix.sequential_accounts = true;
  CommandWorkload deposits(*channels, mix, options.in_flight);
  const LoadResult result = RunClosedLoop({.in_flight = options.in_flight,
                                           .warmup = absl::ZeroDuration(),
                                           .duration = options.timeout,
                                           .max_calls = options.events},
                                          deposits);
  report.Number("fill_accounts", options.accounts);
  report.Load("fill", result);
  if (result.Count(grpc::StatusCode::OK) != options.events) {
    return absl::InternalError(absl::StrCat("fill: ", result.Count(grpc::StatusCode::OK), " of ",
                                            options.events, " deposits succeeded"));
  }
  return absl::OkStatus();
}

absl::Status RunRebuild(const BenchOptions& options, Report& report) {
  uint64_t head = options.head;
  if (head == 0) {
    absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> commands =
        Connect(options.command_services, 1, options.security.credentials());
    if (!commands.ok()) return commands.status();
    absl::StatusOr<uint64_t> queried = QueryHead(commands->front(), kConnectTimeout);
    if (!queried.ok()) return queried.status();
    head = *queried;
  }
  // No Connect(): the query service may still be starting; polls retry.
  std::vector<std::shared_ptr<grpc::Channel>> queries =
      MakeChannels({options.query_service}, options.security.credentials());
  absl::StatusOr<RebuildResult> result =
      MeasureRebuild(queries.front(), head, options.poll_interval, options.timeout);
  if (!result.ok()) return result.status();
  report.Number("rebuild_head", static_cast<double>(result->head));
  report.Number("rebuild_first_applied", static_cast<double>(result->first_applied));
  report.Duration("rebuild_elapsed_us", result->elapsed);
  report.Duration("rebuild_total_us", result->total);
  report.Number("rebuild_events_per_s", result->EventsPerSecond());
  return absl::OkStatus();
}

}  // namespace bank::bench
