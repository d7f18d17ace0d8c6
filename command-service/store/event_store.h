#ifndef BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_
#define BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bank/v1/event.pb.h"

namespace bank {

// Where events are stored: the seam between command handling (and Subscribe)
// and the storage engine. The file-based log::EventLog is the production
// store; store::MemoryEventStore (memory_event_store.h) is the fast one for tests,
// made to act like a shared store; a store on a shared database for several
// command-service replicas is meant to slot in here without touching the
// aggregate or the gRPC layer. tests/command/event_store_conformance_test.cc
// holds every store to this contract.
//
// Capabilities differ where a store has one writer or several:
// - Conflicts. The file log has a single caller (the handler), which decided
//   every event against state that includes every earlier one, so it stores
//   `version` and `command_id` as given. A shared store cannot rely on that:
//   it refuses an event whose `version` is not the account's stored version
//   + 1 with ABORTED, and one whose non-empty `command_id` is already stored
//   with ALREADY_EXISTS (the memory store does; the PostgreSQL schema will
//   hold both as unique constraints).
// - Failures. A failed write or sync of the file log is sticky. A shared
//   store may also fail transiently (UNAVAILABLE: a dropped connection), and
//   a later commit recovers.
class EventStore {
 public:
  // Receives the event's position once it is durable, or why it never will be.
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<uint64_t> position) &&>;
  // Receives the new durable head after it advanced.
  using HeadListener = std::function<void(uint64_t durable_head)>;

  virtual ~EventStore() = default;

  // Sequences `event` after every earlier Append and queues it, returning at
  // once; Commit() makes it durable. `done` runs exactly once, on the thread
  // that commits it, when the event is durable or has failed. The store
  // assigns `position` and `recorded_at`; the caller sets the rest. `version`
  // is the expectation: the account's previous version + 1 (a single-writer
  // store relies on its caller having checked it; a shared store refuses a
  // conflict with ABORTED, and a stored command_id with ALREADY_EXISTS, in
  // `done`; see above). Events become durable in Append order.
  virtual void Append(bank::v1::Event event, AppendDone done) = 0;

  // Makes everything appended so far durable and runs its callbacks, on the
  // calling thread: group commit on the callers' own threads
  // (leader/follower). When another thread is committing already, returns at
  // once, and that thread commits what this one appended too. So every Append
  // needs a Commit after it on some thread, and a caller may block here for
  // one or more syncs.
  virtual void Commit() = 0;

  // Appends to `out` the durable events with position > `after`, in order, at
  // most `max_events` of them. Never sees an event that is not yet durable.
  // Thread-safe; does not wait for appends.
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
};

// The durable event at `position`; NOT_FOUND when there is none.
inline absl::StatusOr<bank::v1::Event> ReadEventAt(const EventStore& store, uint64_t position) {
  std::vector<bank::v1::Event> events;
  if (absl::Status read = store.ReadAfter(position - 1, 1, &events); !read.ok()) return read;
  if (events.empty() || events.front().position() != position) {
    return absl::NotFoundError(absl::StrCat("no durable event at position ", position));
  }
  return std::move(events.front());
}

}  // namespace bank

#endif  // BANK_COMMAND_SERVICE_STORE_EVENT_STORE_H_
