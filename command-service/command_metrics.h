#ifndef BANK_COMMAND_SERVICE_COMMAND_METRICS_H_
#define BANK_COMMAND_SERVICE_COMMAND_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "command-service/store/event_store.h"
#include "command-service/subscription_hub.h"
#include "common/observability/histograms.h"
#include "common/observability/rpc_metrics.h"
#include "common/observability/scraped_metrics.h"

namespace bank::command {

// The command service's metrics (CONTRACT.md, "Observability"):
// bank_commands_total{rpc,code} and bank_command_duration_seconds{rpc} from
// the edge (rpcs()); bank_store_commit_duration_seconds and
// bank_store_commit_events from the store's commit listener;
// bank_store_head_position, bank_subscribe_streams and
// bank_subscribe_events_sent_total read from the store and the hub at
// scrape time. Nothing here takes a lock on the command path.
class CommandMetrics {
 public:
  // Listens to `store`'s commits; `store` and `hub` are read at each scrape,
  // so they must outlive the metrics server serving collectables().
  CommandMetrics(EventStore& store, const SubscriptionHub& hub);

  // For CommandServiceImpl.
  metrics::RpcMetrics* rpcs() { return &rpcs_; }

  // What the metrics server serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables() const {
    return {registry_, histograms_, scraped_};
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  // Shared with the store's commit listener, which may outlive this.
  const std::shared_ptr<metrics::Histograms> histograms_;
  metrics::RpcMetrics rpcs_;
  const std::shared_ptr<metrics::ScrapedMetrics> scraped_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_METRICS_H_
