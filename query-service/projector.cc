#include "query-service/projector.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace bank::query {

Projector::Projector(ReadModel* store, PositionWaiters* waiters, ProjectorOptions options)
    : store_(store), waiters_(waiters), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

Projector::~Projector() { Stop(); }

absl::Status Projector::Submit(std::vector<bank::v1::Event> events, bool caught_up) {
  {
    absl::MutexLock lock(&mu_);
    if (events.empty()) return error_;
    if (caught_up && queue_.empty() && !applying_ && !stopping_ && error_.ok()) {
      applying_ = true;  // nothing to batch with: apply it here, below
    } else {
      // An empty queue takes any batch, so an oversized message cannot wedge us.
      while (!stopping_ && error_.ok() && queued_events_ > 0 &&
             queued_events_ + events.size() > options_.max_queued_events) {
        changed_.Wait(&mu_);
      }
      if (stopping_) return absl::CancelledError("the projector is stopping");
      if (!error_.ok()) return error_;
      queued_events_ += events.size();
      queue_.push_back(std::move(events));
      changed_.SignalAll();
      return absl::OkStatus();
    }
  }
  Apply(events);
  absl::MutexLock lock(&mu_);
  return error_;
}

absl::Status Projector::status() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

absl::Status Projector::Flush() {
  absl::MutexLock lock(&mu_);
  while (!queue_.empty() || applying_) changed_.Wait(&mu_);
  return std::exchange(error_, absl::OkStatus());
}

void Projector::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<bank::v1::Event> Projector::TakeBatchLocked() {
  std::vector<bank::v1::Event> batch = std::move(queue_.front());
  queue_.pop_front();
  while (!queue_.empty() && batch.size() + queue_.front().size() <= options_.max_batch_events) {
    for (bank::v1::Event& event : queue_.front()) batch.push_back(std::move(event));
    queue_.pop_front();
  }
  queued_events_ -= batch.size();
  return batch;
}

void Projector::Run() {
  for (;;) {
    std::vector<bank::v1::Event> batch;
    {
      absl::MutexLock lock(&mu_);
      while (applying_ || (queue_.empty() && !stopping_)) changed_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping, and everything queued is applied
      batch = TakeBatchLocked();
      applying_ = true;
      changed_.SignalAll();  // room for Submit()
    }
    Apply(batch);
  }
}

void Projector::Apply(const std::vector<bank::v1::Event>& batch) {
  absl::Status status = store_->Apply(batch);
  if (status.ok()) {
    waiters_->Advance(store_->applied_position());
  } else {
    spdlog::error("applying events {}..{} failed: {}", batch.front().position(),
                  batch.back().position(), status.ToString());
  }
  absl::MutexLock lock(&mu_);
  applying_ = false;
  if (!status.ok()) {
    error_ = status;
    ++failed_applies_;
    queue_.clear();
    queued_events_ = 0;
  } else if (failed_applies_ > 0) {
    // Said once per recovery, so an operator sees where the outage ended.
    spdlog::info("applying resumed at position {} after {} failed attempt(s)",
                 batch.back().position(), std::exchange(failed_applies_, 0));
  }
  changed_.SignalAll();
}

}  // namespace bank::query
