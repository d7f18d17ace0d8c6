#ifndef BANK_QUERY_SERVICE_POSITION_WAITERS_H_
#define BANK_QUERY_SERVICE_POSITION_WAITERS_H_

#include <cstdint>
#include <functional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace bank::query {

// Read-your-writes without polling: a caller registers "tell me when position
// P is applied, or when the deadline passes", and the applier reports each
// newly applied position through Advance(). Nobody blocks: each waiter is a
// callback, completed exactly once with
//   OK                 the position is applied (Advance reached it),
//   DEADLINE_EXCEEDED  the deadline passed first,
//   CANCELLED          Cancel() came first,
//   UNAVAILABLE        Shutdown() came first.
// Callbacks run without any lock held, on the thread that completes them: the
// caller of Wait() (when already decided), of Advance(), of Cancel() or of
// Shutdown(), or the internal deadline thread. They must not block.
//
// Thread-safe. The deadline thread is joined by Shutdown() or the destructor.
class PositionWaiters {
 public:
  using Callback = std::function<void(absl::Status)>;

  // `applied` is the position already applied when the waiters start.
  explicit PositionWaiters(uint64_t applied);
  ~PositionWaiters();
  PositionWaiters(const PositionWaiters&) = delete;
  PositionWaiters& operator=(const PositionWaiters&) = delete;

  // An id for one later Wait(). Reserving first lets a Cancel() that races
  // ahead of its Wait() still take effect: the Wait() then completes at once
  // with CANCELLED.
  uint64_t Reserve() ABSL_LOCKS_EXCLUDED(mu_);

  // Completes `done` once `position` is applied or at `deadline`
  // (absl::InfiniteFuture() for none). `id` comes from Reserve().
  void Wait(uint64_t id, uint64_t position, absl::Time deadline, Callback done)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Completes waiter `id` with CANCELLED if it is still pending; a no-op for a
  // completed one.
  void Cancel(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  // Records that every position <= `applied` is applied and completes the
  // waiters it satisfies. Positions never go back; a smaller value is ignored.
  void Advance(uint64_t applied) ABSL_LOCKS_EXCLUDED(mu_);

  // Completes every pending waiter with UNAVAILABLE, makes later Wait()s do
  // the same, and joins the deadline thread. Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  size_t pending() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Waiter {
    uint64_t position;
    absl::Time deadline;
    Callback done;
  };
  using Completion = std::pair<Callback, absl::Status>;

  void RunDeadlines() ABSL_LOCKS_EXCLUDED(mu_);
  // Unlinks waiter `id` and queues its completion.
  void TakeLocked(uint64_t id, absl::Status status, std::vector<Completion>& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Complete(std::vector<Completion>& completions);

  mutable absl::Mutex mu_;
  absl::CondVar deadline_changed_;
  uint64_t applied_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_set<uint64_t> reserved_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> cancelled_early_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<uint64_t, uint64_t>> by_position_ ABSL_GUARDED_BY(mu_);    // (position, id)
  std::set<std::pair<absl::Time, uint64_t>> by_deadline_ ABSL_GUARDED_BY(mu_);  // finite only

  std::thread deadline_thread_;  // started by the constructor; owned by Shutdown()
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_POSITION_WAITERS_H_
