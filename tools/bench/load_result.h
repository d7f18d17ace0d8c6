#ifndef BANK_TOOLS_BENCH_LOAD_RESULT_H_
#define BANK_TOOLS_BENCH_LOAD_RESULT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "tools/bench/latency_histogram.h"

namespace bank::bench {

// What one measured window of load produced. Only calls that ended inside
// the window count; warm-up calls do not.
struct LoadResult {
  absl::Duration elapsed;    // length of the measured window
  uint64_t calls = 0;        // calls ended in the window, any status
  LatencyHistogram latency;  // of those calls, in nanoseconds
  std::map<grpc::StatusCode, uint64_t> by_status;
  uint64_t skipped = 0;  // paced runs: sends dropped, too many in flight

  double CallsPerSecond() const;
  uint64_t Count(grpc::StatusCode code) const;
};

// "OK", "FAILED_PRECONDITION", ...: the names gRPC's documentation uses.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_LOAD_RESULT_H_
