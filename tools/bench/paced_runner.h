#ifndef BANK_TOOLS_BENCH_PACED_RUNNER_H_
#define BANK_TOOLS_BENCH_PACED_RUNNER_H_

#include "absl/time/time.h"
#include "tools/bench/load_result.h"
#include "tools/bench/workload.h"

namespace bank::bench {

struct PacedOptions {
  double rate = 1000;  // calls started per second
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(10);
  // Slots: at most this many calls in flight; a send due while all are busy
  // is skipped and counted in LoadResult::skipped.
  int max_in_flight = 512;
};

// Starts calls of `workload` at a steady rate from one pacing thread (open
// loop), whatever the latency. Latency is measured from when each call was
// due, so a stalled pacer cannot hide a slow server. Blocks until every call
// has ended and the pacing thread is joined.
LoadResult RunPaced(const PacedOptions& options, Workload& workload);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_PACED_RUNNER_H_
