#ifndef BANK_COMMAND_SERVICE_STORE_MEMORY_EVENT_STORE_H_
#define BANK_COMMAND_SERVICE_STORE_MEMORY_EVENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/event_store.h"

namespace bank::store {

// A SharedEventStore in memory, for tests: the handler's tests run on it
// without storage, and it acts as a store shared by several writers would,
// with the seams a test needs to make it one.
//
// - Like a shared store it refuses conflicts (see EventStore): a group with a
//   `version` that is not its account's stored version + 1 is ABORTED, one
//   with a non-empty `command_id` already stored is ALREADY_EXISTS (ids are
//   checked first). A refused group fails alone; the rest of the commit
//   stores.
// - Positions are assigned when a commit stores the events, so events that
//   another writer commits in between never make a gap or a duplicate.
// - Group commit, simplified: storing is a copy under one lock, so there is
//   no committer role to hand over. Each Commit() takes everything queued and
//   stores it under the lock, then, outside it, calls the head listeners and
//   runs the callbacks of what it took, and then does the same for what
//   those callbacks appended; a Commit that finds the queue empty (another
//   thread took its appends) returns at once. That keeps
//   EventLog's guarantees: durable in Append order, each callback exactly
//   once on the committing thread after its event is readable, listeners one
//   call at a time with a non-decreasing head that is readable.
//
// Thread-safe. Head listeners and callbacks run without the store's lock
// held, so they may read the store. Every Append's callback has run once the
// store is destroyed (the destructor commits what is still queued).
class MemoryEventStore final : public SharedEventStore {
 public:
  // How an injected failure behaves after the commit it fails.
  enum class Failure {
    // A dropped connection: health() reports the error until a commit
    // succeeds; Appends are taken meanwhile.
    kTransient,
    // A failed sync: every later Append fails with the error, for good.
    kSticky,
    // A connection lost after the commit reached the store: the events are
    // stored, but their callbacks get the error; health() as kTransient.
    kOutcomeLost,
  };

  MemoryEventStore() = default;
  ~MemoryEventStore() override;

  void Append(std::vector<bank::v1::Event> group, AppendDone done) override;
  void AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                        AppendDone done) override;
  void ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) override;
  void Commit() override;
  absl::Status ReadAfter(uint64_t after, size_t max_events,
                         std::vector<bank::v1::Event>* out) const override;
  uint64_t durable_head() const override;
  absl::Status health() const override;
  void AddHeadListener(HeadListener listener) override;
  void AddCommitListener(CommitListener listener) override;
  absl::Status ReadAccount(absl::string_view account_id, uint64_t after_version,
                           std::vector<bank::v1::Event>* out) const override;
  absl::Status ReadCommand(absl::string_view command_id,
                           std::vector<bank::v1::Event>* out) const override;

  // Makes the next commit that takes appends fail: each of their callbacks
  // gets `error`, which must not be OK, and none of them is stored unless
  // `failure` is kOutcomeLost.
  void FailNextCommit(absl::Status error, Failure failure);

  // Commits `group` now, on the calling thread, as another replica sharing
  // the store would: this store's callers never saw it, but it takes the
  // next positions, advances the head and reaches the head listeners (on
  // this thread). All or none: the first conflict is returned and nothing is
  // stored. `recorded_at` is kept when set.
  absl::Status AppendAsAnotherWriter(std::vector<bank::v1::Event> group);

 private:
  struct PendingAppend {
    std::vector<bank::v1::Event> group;  // empty for a refusal to confirm
    Redecide redecide;                   // may be empty
    AppendDone done;
    std::optional<Judged> judged;  // a refusal to confirm
  };

  // The verdict on `append`: StoreGroupLocked's, or a refusal's confirmation.
  absl::StatusOr<uint64_t> JudgeLocked(PendingAppend& append) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls `redecide` on each account's events above its version in
  // `accounts` (the one it was decided on), and stores the group it returns.
  absl::StatusOr<uint64_t> RedecideLocked(
      const absl::flat_hash_map<std::string, uint64_t>& accounts, Redecide& redecide)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Stores `group` at the next positions, all or none: its first position,
  // or the first conflict (ABORTED or ALREADY_EXISTS) with nothing stored.
  // A stale group with a `redecide` is decided again (see
  // SharedEventStore::AppendOrRedecide).
  absl::StatusOr<uint64_t> StoreGroupLocked(std::vector<bank::v1::Event> group,
                                            Redecide* redecide = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> StoreGroupOnceLocked(std::vector<bank::v1::Event> group)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ABORTED or ALREADY_EXISTS when `event`, of the group starting at
  // `group_start`, conflicts with what is stored.
  absl::Status CheckConflictLocked(const bank::v1::Event& event, uint64_t group_start) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Assigns `event` the next position and stores it as the last of a group
  // that starts at `group_start`.
  void StoreLocked(bank::v1::Event event, uint64_t group_start) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the last stored event back out (a group's all or none).
  void UnstoreLastLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The position of the last event of the group holding `position`.
  uint64_t GroupEndLocked(uint64_t position) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Calls every listener with the durable head if it moved past the last
  // head they were told.
  void NotifyListeners();

  mutable absl::Mutex mu_;
  std::vector<PendingAppend> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<bank::v1::Event> events_ ABSL_GUARDED_BY(mu_);  // position p at index p - 1
  // By position like events_: the first position of the event's group.
  std::vector<uint64_t> group_starts_ ABSL_GUARDED_BY(mu_);
  // Each account's positions, by version (version v at index v - 1).
  absl::flat_hash_map<std::string, std::vector<uint64_t>> accounts_ ABSL_GUARDED_BY(mu_);
  // The first position of the group that carries each command id.
  absl::flat_hash_map<std::string, uint64_t> command_ids_ ABSL_GUARDED_BY(mu_);
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  bool sticky_ ABSL_GUARDED_BY(mu_) = false;  // health_ is a sticky failure
  absl::Status next_failure_ ABSL_GUARDED_BY(mu_);
  Failure next_failure_kind_ ABSL_GUARDED_BY(mu_) = Failure::kTransient;

  // Taken before mu_ (listeners read the store), never the other way round.
  absl::Mutex listeners_mu_;
  std::vector<HeadListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  std::vector<CommitListener> commit_listeners_ ABSL_GUARDED_BY(listeners_mu_);
  uint64_t notified_head_ ABSL_GUARDED_BY(listeners_mu_) = 0;
};

}  // namespace bank::store

#endif  // BANK_COMMAND_SERVICE_STORE_MEMORY_EVENT_STORE_H_
