#ifndef BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_
#define BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "query-service/backoff.h"
#include "query-service/projection_store.h"
#include "query-service/projector.h"
#include "query-service/source_status.h"

namespace bank::query {

struct EventSubscriberOptions {
  // The command service, HOST:PORT.
  std::string target;
  BackoffOptions backoff;
};

// Follows bank.v1.CommandService/Subscribe into the projector, on one thread
// of its own:
//   1. wait until the projector has applied everything it was given, then
//      subscribe with after_position = the store's checkpoint;
//   2. check every event: its position must be exactly the previous one + 1.
//      A gap or a repeat is never submitted; it is logged, the stream is
//      dropped and step 1 starts again (the checkpoint resolves it);
//   3. track the head position every message (heartbeats included) carries;
//   4. when the stream ends or fails, wait with exponential backoff and
//      jitter (reset after a stream that delivered events) and go to 1.
// Each attempt uses a fresh channel with its own subchannel pool, so a
// restarted command service is reached on the next attempt rather than after
// gRPC's own reconnect backoff.
//
// Thread-safe. Does not own the store, projector or status, which must
// outlive it. Start() once; Stop() (or the destructor) cancels the stream and
// joins the thread.
class EventSubscriber {
 public:
  EventSubscriber(EventSubscriberOptions options, const ProjectionStore* store,
                  Projector* projector, SourceStatus* source);
  ~EventSubscriber();
  EventSubscriber(const EventSubscriber&) = delete;
  EventSubscriber& operator=(const EventSubscriber&) = delete;

  void Start();
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // One subscription from `after`; returns why it ended and sets `progressed`
  // when it delivered events (so the backoff starts over).
  absl::Status Follow(uint64_t after, bool& progressed) ABSL_LOCKS_EXCLUDED(mu_);
  // false when stopping.
  bool SleepUnlessStopped(absl::Duration delay) ABSL_LOCKS_EXCLUDED(mu_);

  const EventSubscriberOptions options_;
  const ProjectionStore* const store_;
  Projector* const projector_;
  SourceStatus* const source_;

  absl::Mutex mu_;
  absl::CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The live call's context, so Stop() can cancel it; owned by Follow().
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread thread_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_
