#ifndef BANK_QUERY_SERVICE_QUERY_METRICS_H_
#define BANK_QUERY_SERVICE_QUERY_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "common/observability/histograms.h"
#include "common/observability/rpc_metrics.h"
#include "common/observability/scraped_metrics.h"
#include "query-service/projection_store.h"
#include "query-service/source_status.h"

namespace bank::query {

// The query service's metrics (CONTRACT.md, "Observability"):
// bank_queries_total{rpc,code} and bank_query_duration_seconds{rpc} from the
// edge (rpcs()); bank_projection_applied_position,
// bank_projection_source_head_position, bank_projection_lag_events and
// bank_projection_source_connected read at scrape time, as GetStatus reads
// them (projection_progress.h).
class QueryMetrics {
 public:
  // `store` and `source` must outlive the metrics server serving
  // collectables().
  QueryMetrics(const ProjectionStore& store, const SourceStatus& source);

  // For QueryServiceImpl.
  metrics::RpcMetrics* rpcs() { return &rpcs_; }

  // What the metrics server serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables() const {
    return {registry_, histograms_, scraped_};
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  const std::shared_ptr<metrics::Histograms> histograms_;
  metrics::RpcMetrics rpcs_;
  const std::shared_ptr<metrics::ScrapedMetrics> scraped_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_QUERY_METRICS_H_
