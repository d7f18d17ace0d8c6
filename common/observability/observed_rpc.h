#ifndef BANK_COMMON_OBSERVABILITY_OBSERVED_RPC_H_
#define BANK_COMMON_OBSERVABILITY_OBSERVED_RPC_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "absl/types/span.h"
#include "common/observability/log_fields.h"
#include "common/observability/rpc_metrics.h"

namespace bank {

// What a service's edge reports about each call of one rpc when it answers:
// the call in its rpc metrics (when the service serves metrics), and one log
// line, at debug level (error when the code says the service failed), with
// the rpc, the code, the duration, the caller's fields and the trace id of
// the call's W3C `traceparent`. One per rpc method, shared by its calls;
// thread-safe.
class ObservedRpc {
 public:
  // One call, from its receipt: cheap to make and to move.
  struct Call {
    std::chrono::steady_clock::time_point received;
    std::string trace_id;  // empty when the call carried none
  };

  // `metrics` may be null (no --metrics_listen); it must outlive this.
  ObservedRpc(std::string name, metrics::RpcMetrics* metrics)
      : name_(std::move(name)), metrics_(metrics != nullptr ? metrics->AddRpc(name_) : nullptr) {}

  const std::string& name() const { return name_; }

  Call Begin(const grpc::ServerContextBase& context) const;

  // Reports `call` answered with `status`; `fields` say what the call was
  // about (account, position).
  void End(const Call& call, const grpc::Status& status,
           absl::Span<const log::Field> fields = {}) const;

 private:
  const std::string name_;
  metrics::RpcMetrics::Rpc* const metrics_;
};

}  // namespace bank

#endif  // BANK_COMMON_OBSERVABILITY_OBSERVED_RPC_H_
