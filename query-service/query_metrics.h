#ifndef BANK_QUERY_SERVICE_QUERY_METRICS_H_
#define BANK_QUERY_SERVICE_QUERY_METRICS_H_

#include <memory>

#include "common/observability/service_metrics.h"
#include "query-service/read_model.h"
#include "query-service/source_status.h"

namespace bank::query {

// The query service's metrics (CONTRACT.md, "Observability"):
// bank_queries_total{rpc,code} and bank_query_duration_seconds{rpc} from the
// edge (rpcs()); bank_projection_applied_position,
// bank_projection_source_head_position, bank_projection_lag_events and
// bank_projection_source_connected read at scrape time as GetStatus reads
// them (projection_progress.h), so `store` and `source` must outlive the
// metrics server serving them.
std::unique_ptr<metrics::ServiceMetrics> MakeQueryMetrics(const ReadModel& store,
                                                          const SourceStatus& source);

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_QUERY_METRICS_H_
