#ifndef BANK_COMMON_GRPC_SERVER_H_
#define BANK_COMMON_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/security/server_security.h"

namespace bank {

// What both services share around their gRPC server: the standard health
// service (for the server as a whole, "", and for each service's full name),
// server reflection (grpc.reflection.v1 and v1alpha, common/reflection/), an
// explicit message size limit, a keepalive policy that lets idle clients
// ping, and the "listening on HOST:PORT" line with the real port when the
// flag asked for :0.
class GrpcServer {
 public:
  // The largest request either service accepts; larger ones are refused by
  // gRPC with RESOURCE_EXHAUSTED before any of our code runs.
  static constexpr int kMaxReceiveMessageBytes = 1 << 20;

  // The least interval between a client's keepalive pings, with or without
  // calls in flight, that the server accepts without counting a strike.
  static constexpr int kMinClientPingIntervalMs = 5'000;

  // Binds `listen` (HOST:PORT) with `security`'s credentials and starts
  // serving `services`, which must outlive the server and ask `security`'s
  // authenticator themselves (reflection asks it for any valid token; health
  // asks nothing). Health answers NOT_SERVING until SetServing(true). Logs a
  // warning when a host that is not loopback is served without TLS or tokens.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& listen, const std::vector<grpc::Service*>& services,
      const security::ServerSecurity& security);

  ~GrpcServer();

  int port() const { return port_; }

  // Health's answer for "" and for every service in Start()'s `services`
  // alike: NOT_SERVING makes no exception (a failed store fails them all).
  void SetServing(bool serving);

  // Stops taking calls, gives those in flight `grace` to finish and cancels the
  // rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Reflection;  // the reflection services and what they read

  GrpcServer(std::unique_ptr<Reflection> reflection, std::unique_ptr<grpc::Server> server,
             int port);

  // Declared first, destroyed last: the server's calls use it.
  std::unique_ptr<Reflection> reflection_;
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
};

// Routes SIGINT and SIGTERM to WaitForTerminationSignal(); call first in
// main(). The handler only writes the signal number to a pipe (which is
// async-signal-safe), whatever thread the kernel picks to run it on.
void CatchTerminationSignals();

// Waits up to `timeout` for SIGINT or SIGTERM; returns its number, or 0 when
// none arrived.
int WaitForTerminationSignal(absl::Duration timeout);

}  // namespace bank

#endif  // BANK_COMMON_GRPC_SERVER_H_
