#ifndef BANK_TOOLS_BANKCTL_INTERRUPT_H_
#define BANK_TOOLS_BANKCTL_INTERRUPT_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"

namespace bank::bankctl {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it
// starts later. Call from main() before any gRPC object exists, or gRPC's own
// threads may still take the signal and end the process abruptly.
void BlockInterruptSignals();

// Runs `on_interrupt` once, on a thread of its own, when SIGINT or SIGTERM
// arrives; both must be blocked (BlockInterruptSignals). So `watch` can cancel
// its stream and exit 0 on Ctrl-C instead of dying with the signal, and no
// code runs in a signal handler. The destructor stops waiting (within about
// 100 ms) and joins the thread; `on_interrupt` must be safe to call until then.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(std::function<void()> on_interrupt);
  ~InterruptWatcher();

  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  // Whether a signal arrived and `on_interrupt` ran (or is running).
  bool interrupted() const { return interrupted_.load(); }

 private:
  void Run();

  std::function<void()> on_interrupt_;
  absl::Notification stop_;
  std::atomic<bool> interrupted_{false};
  std::thread thread_;  // last: starts once the fields above exist
};

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_INTERRUPT_H_
