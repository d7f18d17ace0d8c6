#ifndef BANK_TOOLS_BENCH_HEALTH_WORKLOAD_H_
#define BANK_TOOLS_BENCH_HEALTH_WORKLOAD_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/bench/workload.h"

namespace bank::bench {

// grpc.health.v1.Health/Check(service "") over `channels` (slot s uses
// channel s % size): the cheapest unary call the server answers, so the
// ceiling for any other call over the same connections.
class HealthWorkload final : public Workload {
 public:
  explicit HealthWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                          absl::Duration deadline = absl::Seconds(30));

  void Start(int slot, CallDone done) override;

 private:
  const absl::Duration deadline_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> stubs_;
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_HEALTH_WORKLOAD_H_
