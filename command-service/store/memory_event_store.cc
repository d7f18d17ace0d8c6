#include "command-service/store/memory_event_store.h"

#include <algorithm>
#include <chrono>
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

void MemoryEventStore::Append(std::vector<bank::v1::Event> group, AppendDone done) {
  AppendOrRedecide(std::move(group), nullptr, std::move(done));
}

void MemoryEventStore::AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                                        AppendDone done) {
  // Queued even after a sticky failure: Commit answers it (see EventStore).
  for (bank::v1::Event& event : group) StampRecordedAt(event);
  absl::MutexLock lock(&mu_);
  queue_.push_back({std::move(group), std::move(redecide), std::move(done), std::nullopt});
}

void MemoryEventStore::ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) {
  absl::MutexLock lock(&mu_);
  queue_.push_back({{}, std::move(redecide), std::move(done), std::move(judged)});
}

void MemoryEventStore::Commit() {
  // What the callbacks append is this call's to commit too: loop.
  for (;;) {
    std::vector<PendingAppend> appends;
    std::vector<absl::StatusOr<uint64_t>> outcomes;
    const auto started = std::chrono::steady_clock::now();
    size_t stored = 0;
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) return;
      appends.swap(queue_);
      const size_t head_before = events_.size();
      if (sticky_) {
        outcomes.assign(appends.size(), health_);
      } else if (!next_failure_.ok()) {
        health_ = std::exchange(next_failure_, absl::OkStatus());
        sticky_ = next_failure_kind_ == Failure::kSticky;
        if (next_failure_kind_ == Failure::kOutcomeLost) {
          for (PendingAppend& append : appends) (void)JudgeLocked(append);
        }
        outcomes.assign(appends.size(), health_);
      } else {
        // The commit reached the store: a transient failure is over.
        health_ = absl::OkStatus();
        for (PendingAppend& append : appends) outcomes.push_back(JudgeLocked(append));
      }
      stored = events_.size() - head_before;
    }
    // Outside the lock: listeners and callbacks read the store, and a
    // callback may take its owner's lock while that owner asks health(), or
    // append again.
    NotifyListeners();
    if (stored > 0) {
      const absl::Duration took = absl::FromChrono(std::chrono::steady_clock::now() - started);
      absl::MutexLock lock(&listeners_mu_);
      for (const CommitListener& listener : commit_listeners_) {
        listener({.duration = took, .events = stored});
      }
    }
    for (size_t i = 0; i < appends.size(); ++i) {
      std::move(appends[i].done)(std::move(outcomes[i]));
    }
  }
}

absl::Status MemoryEventStore::ReadAfter(uint64_t after, size_t max_events,
                                         std::vector<bank::v1::Event>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  if (after >= events_.size() || max_events == 0) return absl::OkStatus();
  const uint64_t last = GroupEndLocked(std::min<uint64_t>(after + max_events, events_.size()));
  out->insert(out->end(), events_.begin() + after, events_.begin() + last);
  return absl::OkStatus();
}

absl::Status MemoryEventStore::ReadAccount(absl::string_view account_id, uint64_t after_version,
                                           std::vector<bank::v1::Event>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto account = accounts_.find(account_id);
  if (account == accounts_.end()) return absl::OkStatus();
  for (uint64_t version = after_version + 1; version <= account->second.size(); ++version) {
    out->push_back(events_[account->second[version - 1] - 1]);
  }
  return absl::OkStatus();
}

absl::Status MemoryEventStore::ReadCommand(absl::string_view command_id,
                                           std::vector<bank::v1::Event>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto command = command_ids_.find(command_id);
  if (command == command_ids_.end()) return absl::OkStatus();
  const uint64_t last = GroupEndLocked(command->second);
  out->insert(out->end(), events_.begin() + (command->second - 1), events_.begin() + last);
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

void MemoryEventStore::AddCommitListener(CommitListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  commit_listeners_.push_back(std::move(listener));
}

void MemoryEventStore::FailNextCommit(absl::Status error, Failure failure) {
  absl::MutexLock lock(&mu_);
  next_failure_ = std::move(error);
  next_failure_kind_ = failure;
}

absl::Status MemoryEventStore::AppendAsAnotherWriter(std::vector<bank::v1::Event> group) {
  {
    absl::MutexLock lock(&mu_);
    for (bank::v1::Event& event : group) {
      if (!event.has_recorded_at()) StampRecordedAt(event);
    }
    if (absl::StatusOr<uint64_t> stored = StoreGroupLocked(std::move(group)); !stored.ok()) {
      return stored.status();
    }
  }
  NotifyListeners();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryEventStore::JudgeLocked(PendingAppend& append) {
  if (!append.judged.has_value())
    return StoreGroupLocked(std::move(append.group), &append.redecide);
  const Judged& judged = *append.judged;
  const auto account = accounts_.find(judged.account_id);
  const absl::Status verdict = judged.Check(account == accounts_.end() ? 0 : account->second.size(),
                                            command_ids_.contains(judged.command_id));
  if (verdict.ok()) return 0;  // the refusal stands
  if (verdict.code() != absl::StatusCode::kAborted || append.redecide == nullptr) return verdict;
  return RedecideLocked({{judged.account_id, judged.version}}, append.redecide);
}

absl::StatusOr<uint64_t> MemoryEventStore::StoreGroupLocked(std::vector<bank::v1::Event> group,
                                                            Redecide* redecide) {
  // The version each account was at when the group was decided.
  absl::flat_hash_map<std::string, uint64_t> accounts;
  for (const bank::v1::Event& event : group) {
    accounts.try_emplace(event.account_id(), event.version() - 1);
  }
  absl::StatusOr<uint64_t> stored = StoreGroupOnceLocked(std::move(group));
  if (stored.ok() || stored.status().code() != absl::StatusCode::kAborted || redecide == nullptr ||
      *redecide == nullptr) {
    return stored;
  }
  return RedecideLocked(accounts, *redecide);
}

absl::StatusOr<uint64_t> MemoryEventStore::RedecideLocked(
    const absl::flat_hash_map<std::string, uint64_t>& accounts, Redecide& redecide) {
  // Each account's events above the version the group was decided on.
  std::vector<uint64_t> positions;
  for (const auto& [account_id, decided_on] : accounts) {
    if (auto account = accounts_.find(account_id);
        account != accounts_.end() && account->second.size() > decided_on) {
      positions.insert(positions.end(), account->second.begin() + decided_on,
                       account->second.end());
    }
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  std::vector<bank::v1::Event> events;
  for (uint64_t position : positions) events.push_back(events_[position - 1]);
  absl::StatusOr<std::vector<bank::v1::Event>> again = redecide(events);
  if (!again.ok()) return again.status();
  for (bank::v1::Event& event : *again) StampRecordedAt(event);
  return StoreGroupOnceLocked(*std::move(again));
}

absl::StatusOr<uint64_t> MemoryEventStore::StoreGroupOnceLocked(
    std::vector<bank::v1::Event> group) {
  const uint64_t first = events_.size() + 1;
  // Stored one by one, so that an event may follow an earlier one of the
  // same group; on a conflict the stored ones are taken back out.
  for (size_t stored = 0; stored < group.size(); ++stored) {
    absl::Status conflict = CheckConflictLocked(group[stored], first);
    if (!conflict.ok()) {
      for (; stored > 0; --stored) UnstoreLastLocked();
      return conflict;
    }
    StoreLocked(std::move(group[stored]), first);
  }
  return first;
}

absl::Status MemoryEventStore::CheckConflictLocked(const bank::v1::Event& event,
                                                   uint64_t group_start) const {
  if (auto id = command_ids_.find(event.command_id());
      !event.command_id().empty() && id != command_ids_.end() && id->second != group_start) {
    return absl::AlreadyExistsError(
        absl::StrCat("command_id ", event.command_id(), " is already stored"));
  }
  const auto stored = accounts_.find(event.account_id());
  const uint64_t version = stored == accounts_.end() ? 0 : stored->second.size();
  if (event.version() != version + 1) {
    return absl::AbortedError(absl::StrCat("account ", event.account_id(), " is at version ",
                                           version, " in the store; version ", event.version(),
                                           " was decided on other state"));
  }
  return absl::OkStatus();
}

void MemoryEventStore::StoreLocked(bank::v1::Event event, uint64_t group_start) {
  const uint64_t position = events_.size() + 1;
  event.set_position(position);
  accounts_[event.account_id()].push_back(position);
  // The group's first event names it: a second one with the same id (one
  // command's two events) keeps the first.
  if (!event.command_id().empty()) command_ids_.try_emplace(event.command_id(), group_start);
  events_.push_back(std::move(event));
  group_starts_.push_back(group_start);
}

void MemoryEventStore::UnstoreLastLocked() {
  const bank::v1::Event& last = events_.back();
  accounts_[last.account_id()].pop_back();
  if (auto id = command_ids_.find(last.command_id());
      id != command_ids_.end() && id->second == last.position()) {
    command_ids_.erase(id);
  }
  events_.pop_back();
  group_starts_.pop_back();
}

uint64_t MemoryEventStore::GroupEndLocked(uint64_t position) const {
  const uint64_t start = group_starts_[position - 1];
  while (position < events_.size() && group_starts_[position] == start) ++position;
  return position;
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
