#ifndef BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_
#define BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/security/client_security.h"
#include "query-service/backoff.h"
#include "query-service/projector.h"
#include "query-service/read_model.h"
#include "query-service/source_status.h"
#include "query-service/stream_watchdog.h"

namespace bank::query {

struct EventSubscriberOptions {
  // The command service: one HOST:PORT, or several replicas of it sharing one
  // store (so positions are the same on each), in the order to try them. Must
  // not be empty (see ParseAddressList).
  std::vector<std::string> targets;
  BackoffOptions backoff;
  StreamWatchdogOptions watchdog;
  security::ClientSecurity security;  // the stream's credentials and token
};

// Follows bank.v1.CommandService/Subscribe into the projector, on one thread
// of its own:
//   1. subscribe to the current target with after_position = the store's
//      checkpoint;
//   2. check every event: its position must be exactly the previous one + 1;
//   3. track the head position every message (heartbeats included) carries;
//   4. end the stream when it stops doing its job: a gap or a repeat (never
//      submitted), a failed apply (reported by Submit(), or by the projector
//      on the next message when its own thread applied the batch), the
//      watchdog (no message, or no progress while behind the head), or the
//      source ending it;
//   5. whatever ended it, one recovery: wait until the projector has applied
//      or dropped everything it was given, make the next target (round robin)
//      the current one, back off once every target has been tried since the
//      last progress (exponentially, with jitter; reset only after an attempt
//      that moved the checkpoint, so a full disk is retried less and less
//      often), and go to 1. Nothing is applied twice and nothing is skipped:
//      the checkpoint commits with the rows, and every replica numbers the
//      events alike.
// Each attempt uses a fresh channel with its own subchannel pool, so a
// restarted command service is reached on the next attempt rather than after
// gRPC's own reconnect backoff.
//
// Thread-safe. Does not own the store, projector or status, which must
// outlive it. Start() once; Stop() (or the destructor) cancels the stream and
// joins both threads (the subscriber's and the watchdog's).
class EventSubscriber {
 public:
  EventSubscriber(EventSubscriberOptions options, const ReadModel* store, Projector* projector,
                  SourceStatus* source);
  ~EventSubscriber();
  EventSubscriber(const EventSubscriber&) = delete;
  EventSubscriber& operator=(const EventSubscriber&) = delete;

  void Start();
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // One subscription to `target` from `after`; returns why it ended.
  absl::Status Follow(const std::string& target, uint64_t after) ABSL_LOCKS_EXCLUDED(mu_);
  // The watchdog thread: checks the live stream every tick, cancels it when
  // the watchdog says so.
  void Watch() ABSL_LOCKS_EXCLUDED(mu_);
  // false when stopping.
  bool SleepUnlessStopped(absl::Duration delay) ABSL_LOCKS_EXCLUDED(mu_);

  const EventSubscriberOptions options_;
  const ReadModel* const store_;
  Projector* const projector_;
  SourceStatus* const source_;

  absl::Mutex mu_;
  absl::CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The live call's context, so Stop() and the watchdog can cancel it; owned
  // by Follow().
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;
  StreamWatchdog watchdog_ ABSL_GUARDED_BY(mu_);
  // The target of the live call, for the watchdog's log.
  std::string following_ ABSL_GUARDED_BY(mu_);
  // Why the watchdog cancelled the live call; OK when it did not.
  absl::Status dropped_by_watchdog_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
  std::thread watchdog_thread_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_EVENT_SUBSCRIBER_H_
