#include "common/observability/service_metrics.h"

namespace bank::metrics {

ServiceMetrics::ServiceMetrics(const std::string& calls_name, const std::string& calls_help,
                               const std::string& duration_name, const std::string& duration_help)
    : registry_(std::make_shared<prometheus::Registry>()),
      histograms_(std::make_shared<Histograms>()),
      rpcs_(*registry_, *histograms_, calls_name, calls_help, duration_name, duration_help,
            ExponentialBuckets(50e-6, 2, 16)),
      scraped_(std::make_shared<ScrapedMetrics>()) {}

}  // namespace bank::metrics
