#include "common/grpc_server.h"

#include <fcntl.h>
#include <grpcpp/health_check_service_interface.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/host_port.h"
#include "common/reflection/lazy_descriptor_index.h"
#include "common/reflection/reflection_service.h"
#include "common/registered_services.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bank {

struct GrpcServer::Reflection {
  explicit Reflection(std::shared_ptr<const security::Authenticator> authenticator)
      : authenticator(std::move(authenticator)) {}

  std::shared_ptr<const security::Authenticator> authenticator;
  RegisteredServices registered;
  reflection::LazyDescriptorIndex index{&registered};
  reflection::ReflectionV1 v1{&index, authenticator.get()};
  reflection::ReflectionV1Alpha v1alpha{&index, authenticator.get()};
};

namespace {

int signal_pipe[2] = {-1, -1};

void OnTerminationSignal(int signal_number) {
  const int saved_errno = errno;
  const unsigned char byte = static_cast<unsigned char>(signal_number);
  (void)!::write(signal_pipe[1], &byte, 1);
  errno = saved_errno;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const std::string& listen, const std::vector<grpc::Service*>& services,
    const security::ServerSecurity& security) {
  const absl::StatusOr<HostPort> address = ParseListenAddress("--listen", listen);
  if (!address.ok()) return address.status();
  // Must be set before the builder exists. gRPC's built-in health service
  // encodes its messages itself and puts nothing into protobuf's generated
  // descriptor pool, which is where reflection looks; naming a message of our
  // health.proto links health.pb.cc, whose static initialiser adds the file.
  grpc::EnableDefaultHealthCheckService(true);
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  if (std::optional<std::string> warning = security::ExposureWarning(listen, security)) {
    spdlog::warn("{}", *warning);
  }
  auto reflection = std::make_unique<Reflection>(security.authenticator);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, security.credentials, &port);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  // gRPC's default lets a client without calls in flight ping once every two
  // hours, and others once every 5 minutes, and answers the third early ping
  // with GOAWAY too_many_pings: a client keeping an idle connection alive
  // with pings every 10 s (a common setting, and the least gRPC Go allows)
  // was cut after 30 to 40 s. The server measures the interval when a
  // ping arrives, so a limit of exactly 10 s would count a strike whenever
  // jitter brings a ping in a little early; half of it leaves the margin.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinClientPingIntervalMs);
  for (grpc::Service* service : services) builder.RegisterService(service);
  builder.RegisterService(&reflection->v1);
  builder.RegisterService(&reflection->v1alpha);
  reflection->registered.Watch(&builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, " (address in use or not local?)"));
  }
  // Health knows the names it was told; SetServing() sets them all. The
  // services gRPC and this class add (health, reflection) get none: they do
  // not depend on the store.
  const absl::flat_hash_set<std::string> infrastructure = {
      grpc::health::v1::Health::service_full_name(),
      grpc::reflection::v1::ServerReflection::service_full_name(),
      grpc::reflection::v1alpha::ServerReflection::service_full_name()};
  for (const std::string& name : reflection->registered.Names()) {
    if (!infrastructure.contains(name)) {
      server->GetHealthCheckService()->SetServingStatus(name, false);
    }
  }
  auto result =
      std::unique_ptr<GrpcServer>(new GrpcServer(std::move(reflection), std::move(server), port));
  result->SetServing(false);
  spdlog::info("listening on {}:{}{}", address->host, port, security.tls ? " (TLS)" : "");
  return result;
}

GrpcServer::GrpcServer(std::unique_ptr<Reflection> reflection, std::unique_ptr<grpc::Server> server,
                       int port)
    : reflection_(std::move(reflection)), server_(std::move(server)), port_(port) {}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

void GrpcServer::SetServing(bool serving) {
  // Applies to every name registered in Start(), and to "".
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
  server_->Wait();
}

void CatchTerminationSignals() {
  if (::pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
  struct sigaction action = {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int WaitForTerminationSignal(absl::Duration timeout) {
  pollfd readable = {.fd = signal_pipe[0], .events = POLLIN, .revents = 0};
  if (::poll(&readable, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) return 0;
  unsigned char byte = 0;
  return ::read(signal_pipe[0], &byte, 1) == 1 ? byte : 0;
}

}  // namespace bank
