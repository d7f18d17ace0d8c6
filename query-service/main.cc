// query-service: follows the command service's event stream into a SQLite
// projection and serves bank.v1.QueryService.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "common/address_list.h"
#include "common/data_dir_lock.h"
#include "common/grpc_server.h"
#include "common/observability/logging.h"
#include "common/observability/metrics_server.h"
#include "common/program_flags.h"
#include "common/security/server_security.h"
#include "query-service/event_subscriber.h"
#include "query-service/position_waiters.h"
#include "query-service/projector.h"
#include "query-service/query_metrics.h"
#include "query-service/query_service_impl.h"
#include "query-service/source_status.h"
#include "query-service/sqlite/sqlite_read_model.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "HOST:PORT to serve QueryService on");
ABSL_FLAG(std::string, data_dir, "./data/query", "directory of the projection database");
ABSL_FLAG(std::string, command_service, "127.0.0.1:50051",
          "HOST:PORT of the command service whose events are projected, or several replicas "
          "sharing one store, comma-separated: one is followed, the next on failure");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain to serve TLS with (with --tls_key); plaintext without");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require a client certificate signed by one (mutual TLS)");
ABSL_FLAG(std::string, auth_tokens, "",
          "file of callers, one line each: NAME ROLES SHA256 (roles write, subscribe, read; the "
          "token's SHA-256 in hex); every call but health then needs `authorization: Bearer "
          "TOKEN`");
ABSL_FLAG(std::string, command_service_tls_ca, "",
          "PEM CA certificates to verify the command service with: its stream then uses TLS");
ABSL_FLAG(std::string, command_service_tls_cert, "",
          "PEM client certificate for the command service's stream (mutual TLS)");
ABSL_FLAG(std::string, command_service_tls_key, "",
          "PEM private key of --command_service_tls_cert");
ABSL_FLAG(std::string, command_service_token_file, "",
          "file holding the token the stream's calls carry (a caller with the subscribe role in "
          "the command service's --auth_tokens)");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn, error, critical or off");
ABSL_FLAG(std::string, log_format, "text",
          "text (a line for people) or json (one JSON object per line, gRPC's own lines too)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on at GET /metrics (port 0 picks one); off when "
          "empty");

namespace bank::query {
namespace {

int Run() {
  CatchTerminationSignals();
#ifdef NDEBUG
  // Debian's Abseil checks every Mutex for deadlock cycles; gRPC pays for it on
  // every call. Debug and sanitizer builds keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  absl::StatusOr<std::vector<std::string>> command_services =
      ParseAddressList(absl::GetFlag(FLAGS_command_service));
  if (!command_services.ok()) {
    spdlog::error("cannot start: --command_service: {}",
                  std::string(command_services.status().message()));
    return 1;
  }
  absl::StatusOr<security::ServerSecurity> security =
      security::LoadServerSecurity({.tls_cert = absl::GetFlag(FLAGS_tls_cert),
                                    .tls_key = absl::GetFlag(FLAGS_tls_key),
                                    .tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca),
                                    .auth_tokens = absl::GetFlag(FLAGS_auth_tokens)});
  if (!security.ok()) {
    spdlog::error("cannot start: {}", std::string(security.status().message()));
    return 1;
  }
  absl::StatusOr<security::ClientSecurity> stream_security = security::ClientSecurity::Load({
      .flag_prefix = "command_service_",
      .tls_ca = absl::GetFlag(FLAGS_command_service_tls_ca),
      .tls_cert = absl::GetFlag(FLAGS_command_service_tls_cert),
      .tls_key = absl::GetFlag(FLAGS_command_service_tls_key),
      .token_file = absl::GetFlag(FLAGS_command_service_token_file),
      .token = "",
  });
  if (!stream_security.ok()) {
    spdlog::error("cannot start: {}", std::string(stream_security.status().message()));
    return 1;
  }
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    spdlog::error("cannot start: {}", lock.status().ToString());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<SqliteReadModel>> store = SqliteReadModel::Open(data_dir);
  if (!store.ok()) {
    spdlog::error("cannot open the projection in {}: {}", data_dir, store.status().ToString());
    return 1;
  }
  const uint64_t checkpoint = (*store)->applied_position();
  spdlog::info("projection in {} recovered at position {}", data_dir, checkpoint);

  PositionWaiters waiters(checkpoint);
  SourceStatus source(checkpoint);
  Projector projector(store->get(), &waiters);
  std::unique_ptr<metrics::ServiceMetrics> query_metrics;
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
      !metrics_listen.empty()) {
    query_metrics = MakeQueryMetrics(**store, source);
    absl::StatusOr<std::unique_ptr<metrics::MetricsServer>> started =
        metrics::MetricsServer::Start(metrics_listen, query_metrics->collectables());
    if (!started.ok()) {
      spdlog::error("cannot start: {}", std::string(started.status().message()));
      return 1;
    }
    metrics_server = *std::move(started);
  }
  QueryServiceImpl service(store->get(), &waiters, &source, security->authenticator.get(),
                           query_metrics != nullptr ? query_metrics->rpcs() : nullptr);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(absl::GetFlag(FLAGS_listen), {&service}, *security);
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }
  (*server)->SetServing(true);

  EventSubscriber subscriber({.targets = *std::move(command_services),
                              .backoff = {},
                              .watchdog = {},
                              .security = *std::move(stream_security)},
                             store->get(), &projector, &source);
  subscriber.Start();

  int signal_number = 0;
  while ((signal_number = WaitForTerminationSignal(absl::Seconds(1))) == 0) {
  }
  spdlog::info("signal {} received, shutting down", signal_number);
  // Waiting GetBalance calls end now with UNAVAILABLE rather than holding the
  // server's shutdown until their deadline. Every other call answers without
  // waiting, so the server stops at once: a grace period would only wait for
  // idle client connections to go away.
  (*server)->SetServing(false);
  waiters.Shutdown();
  (*server)->Shutdown(absl::ZeroDuration());
  subscriber.Stop();
  projector.Stop();        // applies and commits what was received
  metrics_server.reset();  // it reads the store and the source's status
  spdlog::info("query-service stopped at position {}", (*store)->applied_position());
  return 0;
}

}  // namespace
}  // namespace bank::query

int main(int argc, char** argv) {
  bank::ParseProgramFlags(argc, argv,
                          "query-service [FLAGS]: the bank's read side. Follows the command "
                          "service's event stream into balance projections (SQLite in "
                          "--data_dir) and answers GetBalance, ListAccounts, GetHistory and "
                          "GetStatus over gRPC.",
                          __FILE__);
  absl::Status logging =
      bank::SetUpLogging(absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
  if (!logging.ok()) {
    fprintf(stderr, "%s\n", std::string(logging.message()).c_str());
    return 2;
  }
  return bank::query::Run();
}
