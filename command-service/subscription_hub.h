#ifndef BANK_COMMAND_SERVICE_SUBSCRIPTION_HUB_H_
#define BANK_COMMAND_SERVICE_SUBSCRIPTION_HUB_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.pb.h"
#include "command-service/store/event_store.h"

namespace bank::command {

struct SubscriptionOptions {
  size_t max_events_per_message = 512;
  absl::Duration heartbeat_interval = absl::Seconds(1);
};

// Serves every Subscribe stream from the event store.
//
// Each stream has at most one write in flight: a slow reader is held back by
// gRPC flow control and costs one message of memory, never the committer's
// or other streams' time. One pump thread reads the log for the streams that are
// ready (their last write done and events past their cursor durable) and
// starts their next write; a stream quiet for heartbeat_interval gets an empty
// message carrying the durable head.
//
// When the durable head moves, the store's head listener makes the caught-up
// streams ready again. If there are only a few (a query service or two), it
// serves them itself: it runs on the thread that just committed the events,
// before that thread answers the commands, so the events are on their way to
// the query side as the replies leave, without waking the pump (measured:
// read-your-writes p99 at 16 in flight 2.0-2.3 -> 1.5-1.8 ms). With more,
// the pump serves them, so that replies do not wait for many reads and
// writes.
class SubscriptionHub {
 public:
  // Registers a head listener on `store`; the store must keep calling it only
  // while the hub lives (close the store first).
  SubscriptionHub(EventStore& store, SubscriptionOptions options = {});
  // Calls Shutdown(); the gRPC server must have finished every stream first.
  ~SubscriptionHub();

  // A reactor streaming every durable event after `after_position`.
  grpc::ServerWriteReactor<bank::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, uint64_t after_position);

  // Finishes every stream with UNAVAILABLE (server shutting down) and stops
  // the pump. New streams are refused. Idempotent.
  void Shutdown();

  // For metrics: the live streams, and the events handed to gRPC to send
  // since start-up.
  size_t stream_count() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t events_sent() const { return events_sent_.load(std::memory_order_relaxed); }

 private:
  class Stream;

  void OnDurableHead(uint64_t head);
  void PumpLoop();
  // Reads `stream`'s next batch and starts its write, or parks it as idle.
  void Serve(Stream* stream, bool heartbeat_due);
  // Takes `stream` out of the queues and returns the status to Finish it
  // with, exactly once: nullopt when it was already claimed.
  std::optional<grpc::Status> ClaimFinishLocked(Stream* stream, grpc::Status status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues `stream` for the pump when events past its cursor are durable,
  // else keeps it idle until the head moves.
  void ParkLocked(Stream* stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void QueueHeartbeatsLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventStore& store_;
  const SubscriptionOptions options_;

  std::atomic<uint64_t> events_sent_{0};

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<Stream*> streams_ ABSL_GUARDED_BY(mu_);  // every live stream
  std::deque<Stream*> ready_ ABSL_GUARDED_BY(mu_);             // waiting for the pump
  absl::flat_hash_set<Stream*> idle_ ABSL_GUARDED_BY(mu_);     // caught up with head_
  std::thread pump_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SUBSCRIPTION_HUB_H_
