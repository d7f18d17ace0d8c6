#ifndef BANK_TOOLS_BENCH_LOAD_RUNNER_H_
#define BANK_TOOLS_BENCH_LOAD_RUNNER_H_

#include <cstdint>

#include "absl/time/time.h"
#include "tools/bench/load_result.h"
#include "tools/bench/workload.h"

namespace bank::bench {

struct ClosedLoopOptions {
  int in_flight = 64;  // calls kept in flight: one per slot
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);  // measured window after the warm-up
  // When > 0, stop starting calls after this many (the run ends when they
  // have all ended, or the window closes, whichever is first).
  uint64_t max_calls = 0;
};

// Keeps `in_flight` calls of `workload` in flight: each slot starts its next
// call as soon as the previous one ends. Blocks until the window has closed
// and every call has ended, so the workload may be destroyed on return.
LoadResult RunClosedLoop(const ClosedLoopOptions& options, Workload& workload);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_LOAD_RUNNER_H_
