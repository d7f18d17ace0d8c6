#ifndef BANK_TOOLS_BENCH_REBUILD_H_
#define BANK_TOOLS_BENCH_REBUILD_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bank::bench {

struct RebuildResult {
  uint64_t head = 0;           // the position waited for
  uint64_t first_applied = 0;  // applied_position at the first answered poll
  absl::Duration elapsed;      // from the first answered poll to applied >= head
  absl::Duration total;        // from the first poll attempt, answered or not

  // Events applied per second between the first answered poll and the end.
  double EventsPerSecond() const;
};

// Polls the query service's GetStatus every `interval` until
// applied_position >= head. A poll the service does not answer yet (still
// starting) is retried. DEADLINE_EXCEEDED after `timeout`.
absl::StatusOr<RebuildResult> MeasureRebuild(const std::shared_ptr<grpc::Channel>& query_channel,
                                             uint64_t head, absl::Duration interval,
                                             absl::Duration timeout);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_REBUILD_H_
