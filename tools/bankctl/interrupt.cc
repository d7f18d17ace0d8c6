#include "tools/bankctl/interrupt.h"

#include <signal.h>
#include <time.h>

#include <utility>

namespace bank::bankctl {
namespace {

sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockInterruptSignals() {
  const sigset_t set = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

InterruptWatcher::InterruptWatcher(std::function<void()> on_interrupt)
    : on_interrupt_(std::move(on_interrupt)), thread_([this] { Run(); }) {}

InterruptWatcher::~InterruptWatcher() {
  stop_.Notify();
  thread_.join();
}

void InterruptWatcher::Run() {
  const sigset_t set = InterruptSignals();
  // sigwait() cannot be woken for shutdown, so wait in short slices and look
  // at stop_ between them.
  const timespec slice = {0, 100 * 1000 * 1000};
  while (!stop_.HasBeenNotified()) {
    if (sigtimedwait(&set, nullptr, &slice) > 0) {
      interrupted_.store(true);
      on_interrupt_();
      return;
    }
  }
}

}  // namespace bank::bankctl
