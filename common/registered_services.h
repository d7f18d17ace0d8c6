#ifndef BANK_COMMON_REGISTERED_SERVICES_H_
#define BANK_COMMON_REGISTERED_SERVICES_H_

#include <grpcpp/server_builder.h>

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bank {

// The full names of the services one grpc::Server registers: those given to
// its builder and those gRPC adds itself while starting (the built-in health
// service). gRPC keeps that list and offers it only to builder plugins, so
// Watch() installs one on the builder.
//
// Lifetime: must outlive the server built by the watched builder. Thread-safe.
class RegisteredServices {
 public:
  // Call once, before builder->BuildAndStart().
  void Watch(grpc::ServerBuilder* builder);

  // Complete once the server accepts calls, so always complete inside a call;
  // empty before BuildAndStart() has created the server.
  std::vector<std::string> Names() const;

 private:
  class Plugin;
  class Option;

  mutable absl::Mutex mu_;
  // The server's own list (grpc::ServerInitializer::GetServiceList()): it is
  // complete before the server's listeners start, and never changes after.
  const std::vector<std::string>* names_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace bank

#endif  // BANK_COMMON_REGISTERED_SERVICES_H_
