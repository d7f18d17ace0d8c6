#ifndef BANK_TOOLS_BENCH_CATCHUP_H_
#define BANK_TOOLS_BENCH_CATCHUP_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bank::bench {

struct CatchupResult {
  uint64_t head = 0;       // head_position of the first message
  uint64_t events = 0;     // events received until the head was reached
  uint64_t messages = 0;   // messages carrying them
  absl::Duration elapsed;  // from the Subscribe call to the head event

  double EventsPerSecond() const;
};

// Subscribes from position 0 as a bare client (parses each message, keeps
// nothing) and counts events until the head reported in the first message is
// reached. Errors if the stream ends first, skips or repeats a position, or
// takes longer than `timeout`.
absl::StatusOr<CatchupResult> MeasureCatchup(const std::shared_ptr<grpc::Channel>& channel,
                                             absl::Duration timeout);

// The command service's durable head: the head_position of the first
// message of a Subscribe from 0.
absl::StatusOr<uint64_t> QueryHead(const std::shared_ptr<grpc::Channel>& channel,
                                   absl::Duration timeout);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_CATCHUP_H_
