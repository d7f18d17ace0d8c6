#include "common/observability/metrics_server.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "common/host_port.h"
#include "common/observability/process_metrics.h"

namespace bank::metrics {
namespace {

// One request at a time is plenty for a scraper or two.
constexpr size_t kServerThreads = 1;

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& listen, std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  const absl::StatusOr<HostPort> address = ParseListenAddress("--metrics_listen", listen);
  if (!address.ok()) return address.status();
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
  // The port bound, which port 0 leaves to the kernel.
  const std::vector<int> ports = exposer->GetListeningPorts();
  const int port = ports.empty() ? static_cast<int>(address->port) : ports.front();
  spdlog::info("serving metrics at http://{}:{}/metrics", address->host, port);
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(exposer), std::move(collectables), port));
}

}  // namespace bank::metrics
