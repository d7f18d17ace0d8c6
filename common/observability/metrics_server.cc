#include "common/observability/metrics_server.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/observability/process_metrics.h"

namespace bank::metrics {
namespace {

// One request at a time is plenty for a scraper or two.
constexpr size_t kServerThreads = 1;

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& listen, std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen=", listen, " is not HOST:PORT (e.g. 127.0.0.1:9464)"));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen, kServerThreads);
  } catch (const std::exception& error) {
    // civetweb's own words: what it could not parse or bind.
    return absl::UnavailableError(
        absl::StrCat("--metrics_listen=", listen, ": cannot serve metrics: ", error.what()));
  }
  collectables.push_back(std::make_shared<ProcessMetrics>());
  for (const std::shared_ptr<prometheus::Collectable>& collectable : collectables) {
    exposer->RegisterCollectable(collectable);
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (!ports.empty()) port = ports.front();
  spdlog::info("serving metrics at http://{}:{}/metrics", listen.substr(0, colon), port);
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(exposer), std::move(collectables), port));
}

}  // namespace bank::metrics
