#ifndef BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
#define BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_

#include <cstddef>
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
#include "command-service/account_cache.h"
#include "command-service/command.h"
#include "command-service/store/event_store.h"
#include "command-service/store_view.h"

namespace bank::command {

// Runs commands: validation, idempotency, the aggregate's decision, and the
// append. Thread-safe.
//
// Decisions are made one at a time under one lock against the state that
// includes every event this process has sequenced, durable or not, and each
// event goes to the store in that same order. So commands on one account
// are serialised (no interleaving can overdraw), while the appends of all
// accounts share the store's group commit. No reply leaves before its event
// is durable.
//
// The state comes in two kinds, one per constructor:
// - One writer (the file log): an AccountBook holding every event of the
//   store, replayed at start-up. Its answers are final. A store failure is
//   sticky, so a decision built on an event that then failed is never
//   acknowledged either.
// - A store shared with other replicas: an AccountCache of the accounts in
//   use, loaded from the store on first use. It may miss other replicas'
//   events, so the store has the last word: a refusal (ABORTED, FAILED_
//   PRECONDITION, OUT_OF_RANGE) is only given after the account and the
//   command id were read from the store itself; a decision the store refuses
//   as stale (another replica wrote first) is made again on a fresh read,
//   never answered ABORTED; a command id another replica accepted is found
//   in the store and gets its original reply; a failed append drops the
//   account from the cache, since it may hold the failed event.
class CommandHandler {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<bank::v1::CommandReply>) &&>;

  // One writer: `book` is the state recovered from every event of `store`.
  // `store` must outlive the handler and every callback still pending in it.
  CommandHandler(EventStore& store, AccountBook book);
  // A shared store; at most `cached_accounts` accounts are kept in memory.
  CommandHandler(SharedEventStore& store, size_t cached_accounts);

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
  // One try at a command, and what earlier tries left it.
  struct Attempt {
    Command command;
    Done done;
    int number = 1;
    // It holds the command id's in_flight_commands_ entry (an earlier try
    // appended), and counts in in_flight_.
    bool in_flight = false;
  };

  // Decides `attempt` on the state this process holds, or on `fresh` when
  // the store was read for it; appends, answers, or reads the store and
  // tries again.
  void Run(Attempt attempt, const StoreView* fresh);
  // Records the decided `event` as sequenced and hands it to the store.
  void AppendLocked(bank::v1::Event event, Attempt attempt) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnAppended(Attempt attempt, bank::v1::CommandReply reply, absl::StatusOr<uint64_t> position);
  // Ends `attempt` with `answer`, and every retry parked on it.
  void Answer(Attempt attempt, absl::StatusOr<bank::v1::CommandReply> answer);
  // The command accepted under `command_id`, durable or still in flight
  // (position 0), as far as this process knows; nullopt when the id is new
  // to it.
  absl::StatusOr<std::optional<RecordedCommand>> FindOriginalLocked(const std::string& command_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The account's state with every event sequenced here; nullopt when a
  // shared store's cache does not hold it.
  std::optional<AccountState> FindStateLocked(const std::string& account_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A command with an id whose event is not durable yet, and the retries
  // that arrived meanwhile: they get its answer when it has one.
  struct InFlightCommand {
    RecordedCommand command;
    std::vector<Done> retries;
  };

  EventStore& store_;
  SharedEventStore* const shared_;  // null with one writer
  absl::Mutex mu_;
  AccountBook book_ ABSL_GUARDED_BY(mu_);    // one writer: every account
  AccountCache cache_ ABSL_GUARDED_BY(mu_);  // a shared store: the accounts in use
  absl::flat_hash_map<std::string, InFlightCommand> in_flight_commands_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // appended, not yet answered
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
