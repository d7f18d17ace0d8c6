#include "command-service/store/memory_event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"

namespace bank::store {

namespace {

void StampRecordedAt(bank::v1::Event& event) {
  *event.mutable_recorded_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::GetCurrentTimeNanos());
}

}  // namespace

MemoryEventStore::~MemoryEventStore() { Commit(); }

void MemoryEventStore::Append(bank::v1::Event event, AppendDone done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!sticky_) {
      StampRecordedAt(event);
      queue_.push_back({std::move(event), std::move(done)});
      return;
    }
    refused = health_;
  }
  std::move(done)(refused);
}

void MemoryEventStore::Commit() {
  std::vector<PendingAppend> group;
  std::vector<absl::StatusOr<uint64_t>> outcomes;
  {
    absl::MutexLock lock(&mu_);
    if (queue_.empty()) return;
    group.swap(queue_);
    if (!next_failure_.ok()) {
      health_ = std::exchange(next_failure_, absl::OkStatus());
      sticky_ = next_failure_kind_ == Failure::kSticky;
      outcomes.assign(group.size(), health_);
    } else {
      // The commit reached the store: a transient failure is over. (After a
      // sticky one nothing is queued: Append refuses.)
      health_ = absl::OkStatus();
      for (PendingAppend& append : group) {
        if (absl::Status conflict = CheckConflictLocked(append.event); !conflict.ok()) {
          outcomes.push_back(std::move(conflict));
        } else {
          outcomes.push_back(StoreLocked(std::move(append.event)));
        }
      }
    }
  }
  // Outside the lock: listeners and callbacks read the store, and a
  // callback may take its owner's lock while that owner asks health().
  NotifyListeners();
  for (size_t i = 0; i < group.size(); ++i) std::move(group[i].done)(std::move(outcomes[i]));
}

absl::Status MemoryEventStore::ReadAfter(uint64_t after, size_t max_events,
                                         std::vector<bank::v1::Event>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  if (after >= events_.size()) return absl::OkStatus();
  const size_t count = std::min<uint64_t>(max_events, events_.size() - after);
  out->insert(out->end(), events_.begin() + after, events_.begin() + after + count);
  return absl::OkStatus();
}

uint64_t MemoryEventStore::durable_head() const {
  absl::ReaderMutexLock lock(&mu_);
  return events_.size();
}

absl::Status MemoryEventStore::health() const {
  absl::ReaderMutexLock lock(&mu_);
  return health_;
}

void MemoryEventStore::AddHeadListener(HeadListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void MemoryEventStore::FailNextCommit(absl::Status error, Failure failure) {
  absl::MutexLock lock(&mu_);
  next_failure_ = std::move(error);
  next_failure_kind_ = failure;
}

absl::Status MemoryEventStore::AppendAsAnotherWriter(std::vector<bank::v1::Event> events) {
  {
    absl::MutexLock lock(&mu_);
    // Stored one by one, so that an event may follow an earlier one of the
    // same batch; on a conflict the stored ones are taken back out.
    for (size_t stored = 0; stored < events.size(); ++stored) {
      absl::Status conflict = CheckConflictLocked(events[stored]);
      if (!conflict.ok()) {
        for (; stored > 0; --stored) UnstoreLastLocked();
        return conflict;
      }
      if (!events[stored].has_recorded_at()) StampRecordedAt(events[stored]);
      StoreLocked(std::move(events[stored]));
    }
  }
  NotifyListeners();
  return absl::OkStatus();
}

absl::Status MemoryEventStore::CheckConflictLocked(const bank::v1::Event& event) const {
  if (!event.command_id().empty() && command_ids_.contains(event.command_id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("command_id ", event.command_id(), " is already stored"));
  }
  const auto stored = versions_.find(event.account_id());
  const uint64_t version = stored == versions_.end() ? 0 : stored->second;
  if (event.version() != version + 1) {
    return absl::AbortedError(absl::StrCat("account ", event.account_id(), " is at version ",
                                           version, " in the store; version ", event.version(),
                                           " was decided on other state"));
  }
  return absl::OkStatus();
}

uint64_t MemoryEventStore::StoreLocked(bank::v1::Event event) {
  event.set_position(events_.size() + 1);
  versions_[event.account_id()] = event.version();
  if (!event.command_id().empty()) command_ids_.insert(event.command_id());
  events_.push_back(std::move(event));
  return events_.size();
}

void MemoryEventStore::UnstoreLastLocked() {
  const bank::v1::Event& last = events_.back();
  versions_[last.account_id()] = last.version() - 1;
  command_ids_.erase(last.command_id());
  events_.pop_back();
}

void MemoryEventStore::NotifyListeners() {
  absl::MutexLock lock(&listeners_mu_);
  const uint64_t head = durable_head();
  // Another commit's call may have told them this head already.
  if (head == notified_head_) return;
  notified_head_ = head;
  for (const HeadListener& listener : listeners_) listener(head);
}

}  // namespace bank::store
