#ifndef BANK_QUERY_SERVICE_BACKOFF_H_
#define BANK_QUERY_SERVICE_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace bank::query {

struct BackoffOptions {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(2);
  double multiplier = 2.0;
};

// Exponential backoff with "equal jitter": the n-th delay is uniform in
// [d/2, d] with d = min(max, initial * multiplier^n). The jitter spreads the
// reconnects of many replicas after a command-service restart; the floor of d/2
// keeps a single replica from hammering a server that is still down.
// Not thread-safe: one owner (the subscriber thread).
class Backoff {
 public:
  explicit Backoff(BackoffOptions options) : options_(options) {}

  // The delay before the next attempt; grows until Reset().
  absl::Duration Next();
  // Call after an attempt made progress.
  void Reset() { attempt_ = 0; }

 private:
  BackoffOptions options_;
  int attempt_ = 0;
  absl::BitGen random_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_BACKOFF_H_
