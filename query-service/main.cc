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
#include "common/logging.h"
#include "common/program_flags.h"
#include "query-service/event_subscriber.h"
#include "query-service/position_waiters.h"
#include "query-service/projection_store.h"
#include "query-service/projector.h"
#include "query-service/query_service_impl.h"
#include "query-service/source_status.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "HOST:PORT to serve QueryService on");
ABSL_FLAG(std::string, data_dir, "./data/query", "directory of the projection database");
ABSL_FLAG(std::string, command_service, "127.0.0.1:50051",
          "HOST:PORT of the command service whose events are projected, or several replicas "
          "sharing one store, comma-separated: one is followed, the next on failure");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn, error, critical or off");

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
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    spdlog::error("cannot start: {}", lock.status().ToString());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(data_dir);
  if (!store.ok()) {
    spdlog::error("cannot open the projection in {}: {}", data_dir, store.status().ToString());
    return 1;
  }
  const uint64_t checkpoint = (*store)->applied_position();
  spdlog::info("projection in {} recovered at position {}", data_dir, checkpoint);

  PositionWaiters waiters(checkpoint);
  SourceStatus source(checkpoint);
  Projector projector(store->get(), &waiters);
  QueryServiceImpl service(store->get(), &waiters, &source);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(absl::GetFlag(FLAGS_listen), {&service});
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }
  (*server)->SetServing(true);

  EventSubscriber subscriber(
      {.targets = *std::move(command_services), .backoff = {}, .watchdog = {}}, store->get(),
      &projector, &source);
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
  projector.Stop();  // applies and commits what was received
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
  absl::Status logging = bank::SetUpLogging(absl::GetFlag(FLAGS_log_level));
  if (!logging.ok()) {
    fprintf(stderr, "%s\n", std::string(logging.message()).c_str());
    return 2;
  }
  return bank::query::Run();
}
