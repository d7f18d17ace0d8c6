// command-service: the write side. Flags, logging, start-up (recovery), the
// gRPC server, and an orderly shutdown on SIGINT/SIGTERM.

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "command-service/account_book.h"
#include "command-service/command_handler.h"
#include "command-service/command_index.h"
#include "command-service/command_metrics.h"
#include "command-service/command_service_impl.h"
#include "command-service/subscription_hub.h"
#include "command-service/write_side.h"
#include "common/grpc_server.h"
#include "common/observability/logging.h"
#include "common/observability/metrics_server.h"
#include "common/program_flags.h"
#include "common/security/server_security.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve gRPC on; port 0 picks one");
ABSL_FLAG(std::string, data_dir, "./data/command", "directory of the event log (--store=file)");
ABSL_FLAG(std::string, store, "file",
          "where events are stored: file (the event log in --data_dir) or a PostgreSQL URI");
ABSL_FLAG(std::string, store_schema, "bank",
          "the PostgreSQL schema of the store's tables (a --store URI), created when missing");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn, error, critical or off");
ABSL_FLAG(std::string, log_format, "text",
          "text (a line for people) or json (one JSON object per line, gRPC's own lines too)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on at GET /metrics (port 0 picks one); off when "
          "empty");
ABSL_FLAG(uint64_t, segment_bytes, 64ull << 20, "roll to a new log segment past this size");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain to serve TLS with (with --tls_key); plaintext without");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require a client certificate signed by one (mutual TLS)");
ABSL_FLAG(std::string, auth_tokens, "",
          "file of callers, one line each: NAME ROLES SHA256 (roles write, subscribe, read; the "
          "token's SHA-256 in hex); every call but health then needs `authorization: Bearer "
          "TOKEN`");
ABSL_FLAG(uint64_t, snapshot_every, bank::command::kDefaultSnapshotEvery,
          "write a snapshot of the state into --data_dir after every this many events, so that "
          "start-up replays only the log after it (--store=file); 0 turns snapshots off");
ABSL_FLAG(uint64_t, command_id_retention, bank::command::kMinCommandRetention,
          "remember the command ids of at least this many latest commands (at least 1000000, "
          "the contract's minimum); a retry of an older one runs as a new command");

namespace bank::command {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(5);
constexpr absl::Duration kHealthCheckInterval = absl::Seconds(1);

int Run() {
  const uint64_t retention = absl::GetFlag(FLAGS_command_id_retention);
  if (retention < kMinCommandRetention) {
    spdlog::critical("cannot start: --command_id_retention={} is below the contract's {}",
                     retention, kMinCommandRetention);
    return EXIT_FAILURE;
  }
  if (retention > kMaxCommandRetention) {
    spdlog::critical("cannot start: --command_id_retention={} is above the most it can keep, {}",
                     retention, kMaxCommandRetention);
    return EXIT_FAILURE;
  }
  absl::StatusOr<security::ServerSecurity> security =
      security::LoadServerSecurity({.tls_cert = absl::GetFlag(FLAGS_tls_cert),
                                    .tls_key = absl::GetFlag(FLAGS_tls_key),
                                    .tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca),
                                    .auth_tokens = absl::GetFlag(FLAGS_auth_tokens)});
  if (!security.ok()) {
    spdlog::critical("cannot start: {}", std::string(security.status().message()));
    return EXIT_FAILURE;
  }
  absl::StatusOr<StoreChoice> store_choice = ParseStoreFlag(absl::GetFlag(FLAGS_store));
  if (!store_choice.ok()) {
    spdlog::critical("cannot start: {}", std::string(store_choice.status().message()));
    return EXIT_FAILURE;
  }
  absl::StatusOr<WriteSide> opened =
      OpenWriteSide({.store = *store_choice,
                     .data_dir = absl::GetFlag(FLAGS_data_dir),
                     .store_schema = absl::GetFlag(FLAGS_store_schema),
                     .segment_bytes = absl::GetFlag(FLAGS_segment_bytes),
                     .command_retention = retention,
                     .snapshot_every = absl::GetFlag(FLAGS_snapshot_every)});
  if (!opened.ok()) {
    spdlog::critical("cannot start: {}", opened.status().ToString());
    return EXIT_FAILURE;
  }
  // Owned as one, so that shutdown closes it as one: WriteSide's members are
  // declared in the order they may be destroyed in.
  auto write_side = std::make_unique<WriteSide>(*std::move(opened));
  EventStore& event_store = *write_side->store;
  CommandHandler& handler = *write_side->handler;
  spdlog::info("state rebuilt: {}", write_side->description);

  auto subscriptions = std::make_unique<SubscriptionHub>(event_store);
  std::unique_ptr<metrics::ServiceMetrics> command_metrics;
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
      !metrics_listen.empty()) {
    command_metrics = MakeCommandMetrics(event_store, *subscriptions);
    absl::StatusOr<std::unique_ptr<metrics::MetricsServer>> started =
        metrics::MetricsServer::Start(metrics_listen, command_metrics->collectables());
    if (!started.ok()) {
      spdlog::critical("cannot start: {}", std::string(started.status().message()));
      return EXIT_FAILURE;
    }
    metrics_server = *std::move(started);
  }
  CommandServiceImpl service(handler, *subscriptions, *security->authenticator,
                             command_metrics != nullptr ? command_metrics->rpcs() : nullptr);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(absl::GetFlag(FLAGS_listen), {&service}, *security);
  if (!server.ok()) {
    spdlog::critical("cannot start: {}", server.status().ToString());
    return EXIT_FAILURE;
  }
  // A database unreachable at start-up is a store that is down: NOT_SERVING
  // until it answers.
  bool serving = event_store.health().ok();
  (*server)->SetServing(serving);
  if (!serving) spdlog::error("NOT_SERVING: {}", event_store.health().ToString());
  int signal_number = 0;
  while ((signal_number = WaitForTerminationSignal(kHealthCheckInterval)) == 0) {
    // Health checks follow the store both ways: the file log's failures are
    // sticky (NOT_SERVING until restarted), a shared store's may pass.
    const absl::Status health = event_store.health();
    if (serving != health.ok()) {
      serving = health.ok();
      (*server)->SetServing(serving);
      if (serving) {
        spdlog::info("SERVING again: the event store recovered");
      } else {
        spdlog::error("NOT_SERVING: {}", health.ToString());
      }
    }
  }
  spdlog::info("signal {}: shutting down", signal_number);
  // Order matters: streams end first; then commands in flight are answered
  // (their committers still make them durable) while new ones are refused;
  // then the server stops at once, without waiting for idle client
  // connections; then the store closes while the hub it notifies still
  // exists.
  (*server)->SetServing(false);
  subscriptions->Shutdown();
  if (int unanswered = handler.Drain(kShutdownGrace); unanswered > 0) {
    spdlog::warn("{} commands still unanswered after {}; their clients see CANCELLED", unanswered,
                 absl::FormatDuration(kShutdownGrace));
  }
  (*server)->Shutdown(absl::ZeroDuration());
  metrics_server.reset();  // it reads the store and the hub
  write_side.reset();      // the snapshot writer, the handler, the store, the lock
  subscriptions.reset();
  spdlog::info("stopped cleanly");
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bank::command

int main(int argc, char** argv) {
  // The biggest blocks here are hash tables that double as accounts and
  // command ids arrive, and start-up's scratch ring. glibc answers the free of
  // a big block by raising its mmap and trim thresholds to match, after which
  // freed tables stay in the heap for good (~10-25 MB at 1M accounts). A
  // fixed threshold keeps every block past 4 MiB in its own mapping, returned
  // to the OS when freed; smaller ones come from the heap. (The trim
  // threshold stays at 128 KiB, which is why the log's read buffers are
  // smaller than that: see kReadChunk.)
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  bank::CatchTerminationSignals();
  bank::ParseProgramFlags(argc, argv,
                          "command-service [FLAGS]: the bank's write side. Takes Deposit and "
                          "Withdraw over gRPC, appends each accepted command's event to the "
                          "durable event log in --data_dir, and streams the log (Subscribe).",
                          __FILE__);
  if (absl::Status logging =
          bank::SetUpLogging(absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
      !logging.ok()) {
    fprintf(stderr, "%s\n", std::string(logging.message()).c_str());
    return EXIT_FAILURE;
  }
#ifdef NDEBUG
  // Debian's Abseil checks every Mutex for deadlock cycles; gRPC pays for it
  // on every call. Debug and sanitizer builds keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  return bank::command::Run();
}
