#include "common/observability/rpc_metrics.h"

#include <utility>

#include "absl/status/status.h"

namespace bank::metrics {

RpcMetrics::RpcMetrics(prometheus::Registry& registry, const std::string& calls_name,
                       const std::string& calls_help, const std::string& duration_name,
                       const std::string& duration_help, std::vector<double> bucket_bounds)
    : calls_(prometheus::BuildCounter().Name(calls_name).Help(calls_help).Register(registry)),
      durations_(prometheus::BuildHistogram()
                     .Name(duration_name)
                     .Help(duration_help)
                     .Register(registry)),
      bucket_bounds_(std::move(bucket_bounds)) {}

RpcMetrics::Rpc* RpcMetrics::AddRpc(const std::string& name) {
  prometheus::Histogram& duration = durations_.Add({{"rpc", name}}, bucket_bounds_);
  rpcs_.push_back(std::unique_ptr<Rpc>(new Rpc(name, calls_, duration)));
  return rpcs_.back().get();
}

void RpcMetrics::Rpc::Record(grpc::StatusCode code, double seconds) {
  const size_t index = static_cast<size_t>(code) < kCodes ? code : grpc::StatusCode::UNKNOWN;
  prometheus::Counter* counter = by_code_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add locks, and returns the same counter to every thread that
    // races here with the same labels.
    counter = &calls_.Add(
        {{"rpc", name_},
         {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(index))}});
    by_code_[index].store(counter, std::memory_order_release);
  }
  counter->Increment();
  duration_.Observe(seconds);
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  for (double bound = start; count-- > 0; bound *= factor) bounds.push_back(bound);
  return bounds;
}

}  // namespace bank::metrics
