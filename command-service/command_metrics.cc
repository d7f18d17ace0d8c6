#include "command-service/command_metrics.h"

#include "absl/time/time.h"

namespace bank::command {

std::unique_ptr<metrics::ServiceMetrics> MakeCommandMetrics(EventStore& store,
                                                            const SubscriptionHub& hub) {
  auto service = std::make_unique<metrics::ServiceMetrics>(
      "bank_commands_total", "Commands answered, by rpc and gRPC status code.",
      "bank_command_duration_seconds", "Time from a command's receipt to its reply, by rpc.");
  // A group commit: 50 us (a page-cache write) to 51 ms (a slow fsync), and
  // 1 to 1024 events.
  const std::shared_ptr<metrics::Histograms>& histograms = service->histograms();
  metrics::AtomicHistogram& duration =
      histograms->Add("bank_store_commit_duration_seconds",
                      "Time one group commit took to write and sync its events.", {},
                      metrics::ExponentialBuckets(50e-6, 2, 11));
  metrics::AtomicHistogram& events =
      histograms->Add("bank_store_commit_events", "Events one group commit made durable.", {},
                      metrics::ExponentialBuckets(1, 2, 11));
  store.AddCommitListener([histograms, &duration, &events](const EventStore::CommitStats& commit) {
    duration.Observe(absl::ToDoubleSeconds(commit.duration));
    events.Observe(static_cast<double>(commit.events));
  });
  metrics::ScrapedMetrics& scraped = service->scraped();
  scraped.AddGauge("bank_store_head_position", "Position of the last durable event.",
                   [&store] { return static_cast<double>(store.durable_head()); });
  scraped.AddGauge("bank_subscribe_streams", "Subscribe streams open now.",
                   [&hub] { return static_cast<double>(hub.stream_count()); });
  scraped.AddCounter("bank_subscribe_events_sent_total",
                     "Events handed to Subscribe streams to send.",
                     [&hub] { return static_cast<double>(hub.events_sent()); });
  return service;
}

}  // namespace bank::command
