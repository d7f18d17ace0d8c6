#include "tools/bench/load_runner.h"

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bank::bench {
namespace {

class ClosedLoop {
 public:
  ClosedLoop(const ClosedLoopOptions& options, Workload& workload)
      : options_(options), workload_(workload), started_at_(options.in_flight) {}

  LoadResult Run() {
    const absl::Time start = absl::Now();
    measure_from_ = start + options_.warmup;
    measure_until_ = measure_from_ + options_.duration;
    {
      absl::MutexLock lock(&mu_);
      active_slots_ = options_.in_flight;
      last_end_ = measure_from_;
    }
    for (int slot = 0; slot < options_.in_flight; ++slot) {
      if (!Claim()) {
        Retire();
        continue;
      }
      Issue(slot);
    }
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* active) { return *active == 0; }, &active_slots_));
    result_.elapsed =
        std::max(absl::ZeroDuration(), std::min(last_end_, measure_until_) - measure_from_);
    return std::move(result_);
  }

 private:
  // True if one more call may start; counts it.
  bool Claim() {
    absl::MutexLock lock(&mu_);
    if (options_.max_calls > 0 && issued_ >= options_.max_calls) return false;
    ++issued_;
    return true;
  }

  void Retire() {
    absl::MutexLock lock(&mu_);
    --active_slots_;
  }

  void Issue(int slot) {
    // Only this slot's chain touches started_at_[slot]: no lock needed.
    started_at_[slot] = absl::Now();
    workload_.Start(slot, [this, slot](const grpc::Status& status) { OnDone(slot, status); });
  }

  void OnDone(int slot, const grpc::Status& status) {
    const absl::Time now = absl::Now();
    bool again = false;
    {
      absl::MutexLock lock(&mu_);
      if (now >= measure_from_ && now <= measure_until_) {
        ++result_.calls;
        result_.latency.Record(now - started_at_[slot]);
        ++result_.by_status[status.error_code()];
        last_end_ = std::max(last_end_, now);
      }
      again = now < measure_until_ && (options_.max_calls == 0 || issued_ < options_.max_calls);
      if (again) {
        ++issued_;
      } else {
        --active_slots_;
      }
    }
    if (again) Issue(slot);
  }

  const ClosedLoopOptions options_;
  Workload& workload_;
  absl::Time measure_from_;
  absl::Time measure_until_;
  std::vector<absl::Time> started_at_;  // per slot; see Issue()

  absl::Mutex mu_;
  int active_slots_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t issued_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_end_ ABSL_GUARDED_BY(mu_);
  LoadResult result_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

LoadResult RunClosedLoop(const ClosedLoopOptions& options, Workload& workload) {
  ClosedLoop loop(options, workload);
  return loop.Run();
}

}  // namespace bank::bench
