#include "tools/bench/paced_runner.h"

#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bank::bench {
namespace {

class Paced {
 public:
  Paced(const PacedOptions& options, Workload& workload) : options_(options), workload_(workload) {
    absl::MutexLock lock(&mu_);
    for (int slot = options.max_in_flight - 1; slot >= 0; --slot) free_slots_.push_back(slot);
  }

  LoadResult Run() {
    const absl::Time start = absl::Now();
    measure_from_ = start + options_.warmup;
    measure_until_ = measure_from_ + options_.duration;
    std::thread pacer([this, start] { Pace(start); });
    pacer.join();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &Paced::AllSlotsFree));
    result_.elapsed = options_.duration;
    return std::move(result_);
  }

 private:
  bool AllSlotsFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(free_slots_.size()) == options_.max_in_flight;
  }

  void Pace(absl::Time start) {
    const absl::Duration interval = absl::Seconds(1) / options_.rate;
    for (int64_t i = 0;; ++i) {
      const absl::Time due = start + i * interval;
      if (due >= measure_until_) return;
      const absl::Duration wait = due - absl::Now();
      if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
      int slot = -1;
      {
        absl::MutexLock lock(&mu_);
        if (free_slots_.empty()) {
          if (due >= measure_from_) ++result_.skipped;
          continue;
        }
        slot = free_slots_.back();
        free_slots_.pop_back();
      }
      workload_.Start(slot,
                      [this, slot, due](const grpc::Status& status) { OnDone(slot, due, status); });
    }
  }

  void OnDone(int slot, absl::Time due, const grpc::Status& status) {
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    // A call counts by when it was due, so the window holds exactly the
    // calls the pacer meant to send in it.
    if (due >= measure_from_) {
      ++result_.calls;
      result_.latency.Record(now - due);
      ++result_.by_status[status.error_code()];
    }
    free_slots_.push_back(slot);
  }

  const PacedOptions options_;
  Workload& workload_;
  absl::Time measure_from_;
  absl::Time measure_until_;

  mutable absl::Mutex mu_;
  std::vector<int> free_slots_ ABSL_GUARDED_BY(mu_);
  LoadResult result_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

LoadResult RunPaced(const PacedOptions& options, Workload& workload) {
  Paced paced(options, workload);
  return paced.Run();
}

}  // namespace bank::bench
