#include "query-service/query_metrics.h"

#include "query-service/projection_progress.h"

namespace bank::query {

QueryMetrics::QueryMetrics(const ProjectionStore& store, const SourceStatus& source)
    : registry_(std::make_shared<prometheus::Registry>()),
      histograms_(std::make_shared<metrics::Histograms>()),
      // From 50 us (an in-memory balance) to 1.6 s (a GetBalance waiting for
      // its min_position).
      rpcs_(*registry_, *histograms_, "bank_queries_total",
            "Queries answered, by rpc and gRPC status code.", "bank_query_duration_seconds",
            "Time from a query's receipt to its reply, by rpc.",
            metrics::ExponentialBuckets(50e-6, 2, 16)),
      scraped_(std::make_shared<metrics::ScrapedMetrics>()) {
  auto progress = [&store, &source] { return ProgressOf(store, source); };
  scraped_->AddGauge("bank_projection_applied_position",
                     "Position of the last event applied to the projection.",
                     [progress] { return static_cast<double>(progress().applied); });
  scraped_->AddGauge("bank_projection_source_head_position",
                     "The command service's durable head, as last reported on its stream.",
                     [progress] { return static_cast<double>(progress().source_head); });
  scraped_->AddGauge("bank_projection_lag_events",
                     "Events the source holds that the projection has not applied.",
                     [progress] { return static_cast<double>(progress().lag()); });
  scraped_->AddGauge("bank_projection_source_connected",
                     "1 while a subscription to the command service is live, else 0.",
                     [progress] { return progress().source_connected ? 1.0 : 0.0; });
}

}  // namespace bank::query
