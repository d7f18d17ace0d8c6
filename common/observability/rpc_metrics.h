#ifndef BANK_COMMON_OBSERVABILITY_RPC_METRICS_H_
#define BANK_COMMON_OBSERVABILITY_RPC_METRICS_H_

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/observability/histograms.h"

namespace bank::metrics {

// The two metrics of a service's rpcs: a counter of answered calls by rpc and
// status code (`NAME_total{rpc,code}`, prometheus-cpp's, whose Increment is
// an atomic) and a histogram of their durations by rpc (`DURATION{rpc}`, a
// lock-free one of histograms.h).
class RpcMetrics {
 public:
  // One rpc's samples. Record() takes no lock once the rpc has answered with
  // a code before: the counter of each code is created on its first use (so
  // the exposition holds only the codes that happened) and then found in an
  // array of atomics.
  class Rpc {
   public:
    void Record(grpc::StatusCode code, double seconds);

   private:
    friend class RpcMetrics;
    static constexpr size_t kCodes = 17;  // OK (0) to UNAUTHENTICATED (16)

    Rpc(std::string name, prometheus::Family<prometheus::Counter>& calls, AtomicHistogram& duration)
        : name_(std::move(name)), calls_(calls), duration_(duration) {}

    const std::string name_;
    prometheus::Family<prometheus::Counter>& calls_;
    AtomicHistogram& duration_;
    std::array<std::atomic<prometheus::Counter*>, kCodes> by_code_{};
  };

  // Registers `calls_name` (a counter: ends in _total) in `registry`, and
  // adds the `duration_name` histograms (seconds, with `bucket_bounds`) to
  // `histograms`; both must outlive this.
  RpcMetrics(prometheus::Registry& registry, Histograms& histograms, const std::string& calls_name,
             const std::string& calls_help, const std::string& duration_name,
             const std::string& duration_help, std::vector<double> bucket_bounds);

  // The samples of the rpc named `name` (the method's name, e.g. Deposit);
  // lives as long as this. Call while setting up, before calls arrive.
  Rpc* AddRpc(const std::string& name);

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  Histograms& histograms_;
  const std::string duration_name_;
  const std::string duration_help_;
  const std::vector<double> bucket_bounds_;
  std::vector<std::unique_ptr<Rpc>> rpcs_;
};

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_RPC_METRICS_H_
