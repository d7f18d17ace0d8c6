#ifndef BANK_COMMON_OBSERVABILITY_SERVICE_METRICS_H_
#define BANK_COMMON_OBSERVABILITY_SERVICE_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "common/observability/histograms.h"
#include "common/observability/rpc_metrics.h"
#include "common/observability/scraped_metrics.h"

namespace bank::metrics {

// What a service serves at --metrics_listen: its rpc metrics, and room for
// the metrics of its own (histograms(), scraped()). Each service adds its own
// in a function beside its main (command-service/command_metrics.h,
// query-service/query_metrics.h).
class ServiceMetrics {
 public:
  // The rpc metrics `NOUN_total{rpc,code}` and `NOUN_duration_seconds{rpc}`
  // (from 50 us, an answer at once, to 1.6 s, a stalled disk or a long wait),
  // e.g. NOUN "bank_commands" with the duration named "bank_command".
  ServiceMetrics(const std::string& calls_name, const std::string& calls_help,
                 const std::string& duration_name, const std::string& duration_help);

  // For the service's ObservedRpcs.
  RpcMetrics* rpcs() { return &rpcs_; }
  // Shared, so that a listener that may outlive this keeps them alive.
  const std::shared_ptr<Histograms>& histograms() const { return histograms_; }
  ScrapedMetrics& scraped() { return *scraped_; }

  // What the metrics server serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables() const {
    return {registry_, histograms_, scraped_};
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  const std::shared_ptr<Histograms> histograms_;
  RpcMetrics rpcs_;
  const std::shared_ptr<ScrapedMetrics> scraped_;
};

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_SERVICE_METRICS_H_
