#include "query-service/query_metrics.h"

#include "query-service/projection_progress.h"

namespace bank::query {

std::unique_ptr<metrics::ServiceMetrics> MakeQueryMetrics(const ReadModel& store,
                                                          const SourceStatus& source) {
  auto service = std::make_unique<metrics::ServiceMetrics>(
      "bank_queries_total", "Queries answered, by rpc and gRPC status code.",
      "bank_query_duration_seconds", "Time from a query's receipt to its reply, by rpc.");
  auto progress = [&store, &source] { return ProgressOf(store, source); };
  metrics::ScrapedMetrics& scraped = service->scraped();
  scraped.AddGauge("bank_projection_applied_position",
                   "Position of the last event applied to the projection.",
                   [progress] { return static_cast<double>(progress().applied); });
  scraped.AddGauge("bank_projection_source_head_position",
                   "The command service's durable head, as last reported on its stream.",
                   [progress] { return static_cast<double>(progress().source_head); });
  scraped.AddGauge("bank_projection_lag_events",
                   "Events the source holds that the projection has not applied.",
                   [progress] { return static_cast<double>(progress().lag()); });
  scraped.AddGauge("bank_projection_source_connected",
                   "1 while a subscription to the command service is live, else 0.",
                   [progress] { return progress().source_connected ? 1.0 : 0.0; });
  return service;
}

}  // namespace bank::query
