#ifndef BANK_COMMON_OBSERVABILITY_METRICS_SERVER_H_
#define BANK_COMMON_OBSERVABILITY_METRICS_SERVER_H_

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace bank::metrics {

// --metrics_listen: Prometheus' text format at GET http://HOST:PORT/metrics,
// served by prometheus-cpp's pull exposer on threads of its own, with the
// process_* metrics (process_metrics.h) beside the service's. Logs "serving
// metrics at http://HOST:PORT/metrics" with the real port when the flag asked
// for :0. Stops serving when destroyed: destroy it before what its
// collectables read.
class MetricsServer {
 public:
  // Binds `listen` (IPv4 HOST:PORT, port 0 picks one) and serves
  // `collectables`, which must outlive the server. INVALID_ARGUMENT for an
  // address it cannot parse, UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& listen,
      std::vector<std::shared_ptr<prometheus::Collectable>> collectables);

  int port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                std::vector<std::shared_ptr<prometheus::Collectable>> collectables, int port)
      : collectables_(std::move(collectables)), exposer_(std::move(exposer)), port_(port) {}

  // Declared first, destroyed last: the exposer's threads read them.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_METRICS_SERVER_H_
