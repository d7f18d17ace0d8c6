#include "query-service/position_waiters.h"

namespace bank::query {

PositionWaiters::PositionWaiters(uint64_t applied) : applied_(applied) {
  deadline_thread_ = std::thread([this] { RunDeadlines(); });
}

PositionWaiters::~PositionWaiters() { Shutdown(); }

uint64_t PositionWaiters::Reserve() {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  reserved_.insert(id);
  return id;
}

void PositionWaiters::Wait(uint64_t id, uint64_t position, absl::Time deadline, Callback done) {
  absl::Status decided;
  {
    absl::MutexLock lock(&mu_);
    reserved_.erase(id);
    if (cancelled_early_.erase(id) > 0) {
      decided = absl::CancelledError("the call was cancelled");
    } else if (shut_down_) {
      decided = absl::UnavailableError("the query service is shutting down");
    } else if (position <= applied_) {
      decided = absl::OkStatus();
    } else if (deadline <= absl::Now()) {
      decided = absl::DeadlineExceededError("position not applied before the deadline");
    } else {
      waiters_.emplace(id, Waiter{position, deadline, std::move(done)});
      by_position_.emplace(position, id);
      if (deadline != absl::InfiniteFuture()) {
        const bool earliest = by_deadline_.empty() || deadline < by_deadline_.begin()->first;
        by_deadline_.emplace(deadline, id);
        if (earliest) deadline_changed_.Signal();
      }
      return;
    }
  }
  done(decided);
}

void PositionWaiters::Cancel(uint64_t id) {
  std::vector<Completion> completions;
  {
    absl::MutexLock lock(&mu_);
    if (reserved_.contains(id)) {
      cancelled_early_.insert(id);
    } else if (waiters_.contains(id)) {
      TakeLocked(id, absl::CancelledError("the call was cancelled"), completions);
    }
  }
  Complete(completions);
}

void PositionWaiters::Advance(uint64_t applied) {
  std::vector<Completion> completions;
  {
    absl::MutexLock lock(&mu_);
    if (applied <= applied_) return;
    applied_ = applied;
    while (!by_position_.empty() && by_position_.begin()->first <= applied) {
      TakeLocked(by_position_.begin()->second, absl::OkStatus(), completions);
    }
  }
  Complete(completions);
}

void PositionWaiters::Shutdown() {
  std::vector<Completion> completions;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    while (!waiters_.empty()) {
      TakeLocked(waiters_.begin()->first,
                 absl::UnavailableError("the query service is shutting down"), completions);
    }
    deadline_changed_.Signal();
  }
  Complete(completions);
  if (deadline_thread_.joinable() && deadline_thread_.get_id() != std::this_thread::get_id()) {
    deadline_thread_.join();
  }
}

size_t PositionWaiters::pending() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

void PositionWaiters::RunDeadlines() {
  absl::MutexLock lock(&mu_);
  while (!shut_down_) {
    if (by_deadline_.empty()) {
      deadline_changed_.Wait(&mu_);
      continue;
    }
    const absl::Time next = by_deadline_.begin()->first;
    if (absl::Now() < next) {
      deadline_changed_.WaitWithDeadline(&mu_, next);
      continue;
    }
    std::vector<Completion> completions;
    const absl::Time now = absl::Now();
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
      TakeLocked(by_deadline_.begin()->second,
                 absl::DeadlineExceededError("position not applied before the deadline"),
                 completions);
    }
    mu_.Unlock();
    Complete(completions);
    mu_.Lock();
  }
}

void PositionWaiters::TakeLocked(uint64_t id, absl::Status status, std::vector<Completion>& out) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter& waiter = it->second;
  by_position_.erase({waiter.position, id});
  if (waiter.deadline != absl::InfiniteFuture()) by_deadline_.erase({waiter.deadline, id});
  out.emplace_back(std::move(waiter.done), std::move(status));
  waiters_.erase(it);
}

void PositionWaiters::Complete(std::vector<Completion>& completions) {
  for (auto& [done, status] : completions) done(std::move(status));
}

}  // namespace bank::query
