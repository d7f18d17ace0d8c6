#ifndef BANK_COMMAND_SERVICE_COMMAND_METRICS_H_
#define BANK_COMMAND_SERVICE_COMMAND_METRICS_H_

#include <memory>

#include "command-service/store/event_store.h"
#include "command-service/subscription_hub.h"
#include "common/observability/service_metrics.h"

namespace bank::command {

// The command service's metrics (CONTRACT.md, "Observability"):
// bank_commands_total{rpc,code} and bank_command_duration_seconds{rpc} from
// the edge (rpcs()); bank_store_commit_duration_seconds and
// bank_store_commit_events from `store`'s commit listener;
// bank_store_head_position, bank_subscribe_streams and
// bank_subscribe_events_sent_total read from `store` and `hub` at scrape
// time, so both must outlive the metrics server serving them. Nothing here
// takes a lock on the command path.
std::unique_ptr<metrics::ServiceMetrics> MakeCommandMetrics(EventStore& store,
                                                            const SubscriptionHub& hub);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_METRICS_H_
