#ifndef BANK_TOOLS_BENCH_READ_YOUR_WRITES_WORKLOAD_H_
#define BANK_TOOLS_BENCH_READ_YOUR_WRITES_WORKLOAD_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tools/bench/latency_histogram.h"
#include "tools/bench/workload.h"

namespace bank::bench {

struct ReadYourWritesOptions {
  int accounts = 10000;
  std::string account_prefix = "ryw-";
  absl::Duration command_deadline = absl::Seconds(30);
  // Deadline of the GetBalance(min_position) call: how long the query
  // service may take to apply the write before DEADLINE_EXCEEDED.
  absl::Duration read_deadline = absl::Seconds(5);
};

// The read part of every chain that ended inside the window.
struct ReadPart {
  LatencyHistogram latency;  // from the Deposit's OK to GetBalance's end
  std::map<grpc::StatusCode, uint64_t> by_status;
};

// One chain per call: Deposit on the command service, then, on OK,
// GetBalance(account, min_position = reply.position) on the query service.
// `done` gets the Deposit's status if it failed, else GetBalance's. The time
// from the OK to GetBalance's end is recorded apart: it bounds from above the
// lag from a command's OK to its event being applied by the projection.
// Thread-safe.
class ReadYourWritesWorkload final : public Workload {
 public:
  ReadYourWritesWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& command_channels,
                         const std::vector<std::shared_ptr<grpc::Channel>>& query_channels,
                         ReadYourWritesOptions options, int slots);

  // Only read parts ending in [from, until] are recorded (skips a warm-up).
  void SetWindow(absl::Time from, absl::Time until);
  ReadPart TakeReadPart();

  void Start(int slot, CallDone done) override;

 private:
  struct Call;
  void Read(Call* call);
  void RecordRead(absl::Time ok_at, const grpc::Status& status);

  const ReadYourWritesOptions options_;
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> commands_;
  std::vector<std::unique_ptr<bank::v1::QueryService::Stub>> queries_;
  std::vector<std::mt19937_64> rngs_;  // per slot

  absl::Mutex mu_;
  absl::Time window_from_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time window_until_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  ReadPart read_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_READ_YOUR_WRITES_WORKLOAD_H_
