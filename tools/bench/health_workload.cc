#include "tools/bench/health_workload.h"

namespace bank::bench {
namespace {

struct HealthCall {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
};

}  // namespace

HealthWorkload::HealthWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                               absl::Duration deadline)
    : deadline_(deadline) {
  for (const auto& channel : channels) stubs_.push_back(grpc::health::v1::Health::NewStub(channel));
}

void HealthWorkload::Start(int slot, CallDone done) {
  auto* call = new HealthCall;
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(deadline_));
  stubs_[slot % stubs_.size()]->async()->Check(&call->context, &call->request, &call->response,
                                               [call, done = std::move(done)](grpc::Status status) {
                                                 delete call;
                                                 done(status);
                                               });
}

}  // namespace bank::bench
