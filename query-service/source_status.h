#ifndef BANK_QUERY_SERVICE_SOURCE_STATUS_H_
#define BANK_QUERY_SERVICE_SOURCE_STATUS_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bank::query {

// What the query service knows about its source, the command service's event
// stream: whether a subscription is live and the latest durable head it
// reported. Written by the subscriber, read by GetStatus. Thread-safe.
class SourceStatus {
 public:
  // `initial_head` is the projection's checkpoint: before any message arrives
  // it is the best known lower bound of the head.
  explicit SourceStatus(uint64_t initial_head) : head_(initial_head) {}

  void SetConnected(bool connected) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps the largest head seen: a reconnect to a lagging replica must not
  // make the lag look smaller.
  void ObserveHead(uint64_t head) ABSL_LOCKS_EXCLUDED(mu_);

  bool connected() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t head() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_SOURCE_STATUS_H_
