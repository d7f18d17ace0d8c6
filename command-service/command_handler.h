#ifndef BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
#define BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.pb.h"
#include "command-service/account_book.h"
#include "command-service/command.h"
#include "command-service/store/event_store.h"

namespace bank::command {

// Runs commands: validation, idempotency, the aggregate's decision, and the
// append. Thread-safe.
//
// Decisions are made one at a time under one lock against the state that
// includes every event already sequenced, durable or not, and each event goes
// to the store in that same order. So commands on one account are serialised
// (no interleaving can overdraw), while the appends of all accounts share the
// store's group commit. No reply leaves before its event is durable; and since
// a store failure is sticky, a decision built on an event that then failed is
// never acknowledged either.
class CommandHandler {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<bank::v1::CommandReply>) &&>;

  // `book` is the state recovered from `store`'s events; `store` must outlive
  // the handler and every callback still pending in it.
  CommandHandler(EventStore& store, AccountBook book) : store_(store), book_(std::move(book)) {}

  // Runs `command`; `done` runs exactly once, on this thread for an answer
  // known at once, else on the thread that commits its event (see
  // EventStore::Commit): this one, or another caller's. So Execute may block
  // while it writes and syncs a group of events, its own and other callers';
  // in the service that is a gRPC thread, and the replies leave from it.
  void Execute(Command command, Done done);

  // For shutdown: refuses new commands with UNAVAILABLE from now on and waits
  // up to `timeout` for those already sequenced to be answered. Returns how
  // many are still unanswered.
  int Drain(absl::Duration timeout);

 private:
  // Records `event` as sequenced and hands it to the store.
  void AppendLocked(bank::v1::Event event, Done done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnAppended(const std::string& command_id, bank::v1::CommandReply reply,
                  absl::StatusOr<uint64_t> position, Done done);
  // The command accepted under `command_id`, durable or still in flight
  // (position 0); nullopt when the id is new.
  absl::StatusOr<std::optional<RecordedCommand>> FindOriginalLocked(const std::string& command_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A command with an id whose event is not durable yet, and the retries
  // that arrived meanwhile: they get its answer when it has one.
  struct InFlightCommand {
    RecordedCommand command;
    std::vector<Done> retries;
  };

  EventStore& store_;
  absl::Mutex mu_;
  AccountBook book_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, InFlightCommand> in_flight_commands_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // appended, not yet answered
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
