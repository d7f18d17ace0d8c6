#include "common/observability/rpc_metrics.h"

#include <utility>

#include "absl/status/status.h"

namespace bank::metrics {

RpcMetrics::RpcMetrics(prometheus::Registry& registry, Histograms& histograms,
                       const std::string& calls_name, const std::string& calls_help,
                       const std::string& duration_name, const std::string& duration_help,
                       std::vector<double> bucket_bounds)
    : calls_(prometheus::BuildCounter().Name(calls_name).Help(calls_help).Register(registry)),
      histograms_(histograms),
      duration_name_(duration_name),
      duration_help_(duration_help),
      bucket_bounds_(std::move(bucket_bounds)) {}

RpcMetrics::Rpc* RpcMetrics::AddRpc(const std::string& name) {
  AtomicHistogram& duration =
      histograms_.Add(duration_name_, duration_help_, {{"rpc", name}}, bucket_bounds_);
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
        {{"rpc", name_}, {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(index))}});
    by_code_[index].store(counter, std::memory_order_release);
  }
  counter->Increment();
  duration_.Observe(seconds);
}

}  // namespace bank::metrics
