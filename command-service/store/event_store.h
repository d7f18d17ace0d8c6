#ifndef BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_
#define BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bank/v1/event.pb.h"

namespace bank {

// Where events are stored: the seam between command handling (and Subscribe)
// and the storage engine. The file-based log::EventLog is the production
// store of one command service; a SharedEventStore (below) is one that
// several command-service replicas write together; store::MemoryEventStore
// (memory_event_store.h) is the fast one for tests, shared. The handler runs
// on either without knowing which engine is behind it, and
// tests/command/event_store_conformance_test.cc holds every store to this
// contract.
//
// The unit of appending is a group: the events of one command, committed all
// or none, at consecutive positions.
//
// Capabilities differ where a store has one writer or several:
// - Conflicts. The file log has a single caller (the handler), which decided
//   every event against state that includes every earlier one, so it stores
//   `version` and `command_id` as given. A shared store cannot rely on that:
//   it refuses a group with an event whose `version` is not its account's
//   stored version + 1 with ABORTED, and one with a non-empty `command_id`
//   already stored with ALREADY_EXISTS.
// - Failures. A failed write or sync of the file log is sticky. A shared
//   store may also fail transiently (UNAVAILABLE: a dropped connection), and
//   a later commit recovers. An UNAVAILABLE group may even have committed
//   (the connection dropped before the outcome arrived): only the store
//   knows, which is what a retry's command_id asks it.
class EventStore {
 public:
  // Receives the position of the group's first event once the whole group is
  // durable (the others follow it at consecutive positions), or why none of
  // it ever will be.
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<uint64_t> first_position) &&>;
  // Receives the new durable head after it advanced.
  using HeadListener = std::function<void(uint64_t durable_head)>;
  // What one commit (a group commit: every group queued when it began) did.
  struct CommitStats {
    absl::Duration duration;  // writing and syncing, or the database transaction
    size_t events = 0;        // made durable
  };
  using CommitListener = std::function<void(const CommitStats& commit)>;

  virtual ~EventStore() = default;

  // Sequences `group` (one or more events) after every earlier Append and
  // queues it, returning at once; Commit() makes it durable. `done` runs
  // exactly once, on the thread that commits it (never inside Append, even
  // for a group refused at once: the caller may hold its own lock there),
  // when the group is durable or has failed, after the store has let go of
  // its committer role. So `done` may Append again, and needs no Commit for
  // it: the thread that runs `done` commits what `done` appended before its
  // Commit() returns (a command that waited for this one appends so). The store
  // assigns `position` and `recorded_at`; the caller sets the rest. Each
  // `version` is the expectation: the account's previous version + 1 (a
  // single-writer store relies on its caller having checked it; a shared
  // store refuses a conflict, see above). Groups become durable in Append
  // order, except that a refused group drops out and the others commit.
  virtual void Append(std::vector<bank::v1::Event> group, AppendDone done) = 0;

  // Makes everything appended so far durable and runs its callbacks, on the
  // calling thread: group commit on the callers' own threads
  // (leader/follower). When another thread is committing already, returns at
  // once, and that thread commits what this one appended too. So every Append
  // needs a Commit after it on some thread, and a caller may block here for
  // one or more syncs.
  virtual void Commit() = 0;

  // Appends to `out` the durable events with position > `after`, in order, at
  // most `max_events` of them, never splitting a group when it can help it
  // (a group larger than `max_events` is returned whole). Never sees an event
  // that is not yet durable. Thread-safe; does not wait for appends.
  virtual absl::Status ReadAfter(uint64_t after, size_t max_events,
                                 std::vector<bank::v1::Event>* out) const = 0;

  // The position of the last durable event, 0 when there is none.
  virtual uint64_t durable_head() const = 0;

  // OK while appends can succeed. After a failed write or sync the error is
  // sticky: every later Append fails with it until the process restarts. A
  // store that can fail transiently reports UNAVAILABLE from its failed
  // commit until one succeeds again, and keeps taking Appends meanwhile.
  virtual absl::Status health() const = 0;

  // Calls `listener` on the committing thread after every advance of the
  // durable head, one call at a time; it must return quickly and never call
  // back into the store's Append or Commit.
  virtual void AddHeadListener(HeadListener listener) = 0;

  // Calls `listener` on the committing thread after every commit of this
  // process that made events durable, one call at a time; it must return
  // quickly and never call back into the store. (Metrics: the duration and
  // size of group commits.)
  virtual void AddCommitListener(CommitListener listener) = 0;
};

// A store that several command-service replicas write at once. A replica's
// own state may miss the others' events, so it asks the store what only the
// store knows: an account's events (to load or refresh the account before a
// decision that could refuse it) and the event of a command id (a retry sent
// to this replica of a command another one accepted).
class SharedEventStore : public EventStore {
 public:
  // Decides a group again, on what the store holds now: `stored` is every
  // durable event of the group's accounts that its decision did not see
  // (those above the version before the group's first event of the
  // account), in position order (so each account's in version order), the
  // groups this commit stored before it included (last, their positions
  // perhaps not assigned yet). Returns the group to store
  // instead, or why the command is refused now (its `done` gets that).
  using Redecide = absl::AnyInvocable<absl::StatusOr<std::vector<bank::v1::Event>>(
      const std::vector<bank::v1::Event>& stored)>;

  // Append(), except that a group whose versions are stale is not refused
  // with ABORTED: the store calls `redecide` inside the commit, while no
  // other writer can commit, and stores what it returns (which then cannot
  // conflict). So a command that other replicas keep racing still lands in
  // at most two decisions: optimistic first, then under the store's lock.
  // A stored command id is still ALREADY_EXISTS. `redecide` runs on the
  // committing thread and must be quick, pure, and never call the store; a
  // store may call it more than once (a commit tried again), and what it
  // returned last is what was stored.
  virtual void AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                                AppendDone done) = 0;

  // What a replica judged a refusal on: `account_id` at `version`, and
  // `command_id` (may be empty) new.
  struct Judged {
    std::string account_id;
    uint64_t version = 0;
    std::string command_id;

    // The verdict on it, every store's, given the account's stored version
    // and whether the command id is stored: ALREADY_EXISTS, ABORTED (moved
    // on), or OK (the refusal stands).
    absl::Status Check(uint64_t stored_version, bool id_stored) const {
      if (!command_id.empty() && id_stored) {
        return absl::AlreadyExistsError(
            absl::StrCat("command_id ", command_id, " is already stored"));
      }
      if (stored_version != version) {
        return absl::AbortedError(absl::StrCat("account ", account_id, " is at version ",
                                               stored_version, " in the store, not ", version));
      }
      return absl::OkStatus();
    }
  };
  // Confirms a refusal inside a commit, in Append order with the groups
  // around it, so that it costs no read of its own: `done` gets 0 when the
  // account is still at `judged.version` and no group carries the id, and
  // ALREADY_EXISTS when one does. Otherwise the account moved on: `redecide`
  // is called as for a stale group of AppendOrRedecide (shown the events
  // above `judged.version`), and `done` gets the position of the group it
  // returns, stored, or its refusal.
  virtual void ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) = 0;

  // Appends to `out` the durable events of `account_id` with a version above
  // `after_version`, in version order.
  virtual absl::Status ReadAccount(absl::string_view account_id, uint64_t after_version,
                                   std::vector<bank::v1::Event>* out) const = 0;

  // The durable events of the group that carries `command_id` (non-empty),
  // in position order; empty when no group carries it.
  virtual absl::Status ReadCommand(absl::string_view command_id,
                                   std::vector<bank::v1::Event>* out) const = 0;
};

// The durable event at `position`; NOT_FOUND when there is none.
inline absl::StatusOr<bank::v1::Event> ReadEventAt(const EventStore& store, uint64_t position) {
  std::vector<bank::v1::Event> events;
  if (absl::Status read = store.ReadAfter(position - 1, 1, &events); !read.ok()) return read;
  for (bank::v1::Event& event : events) {
    if (event.position() == position) return std::move(event);
  }
  return absl::NotFoundError(absl::StrCat("no durable event at position ", position));
}

}  // namespace bank

#endif  // BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_
