#ifndef BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
#define BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_

#include <cstddef>
#include <deque>
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
// Decisions are made one at a time under one lock, and each event goes to
// the store in that same order. So commands on one account are serialised
// (no interleaving can overdraw), while the appends of all accounts share
// the store's group commit. No reply leaves before its event is durable.
//
// The state comes in two kinds, one per constructor:
// - One writer (the file log): an AccountBook holding every event of the
//   store, replayed at start-up, and every event sequenced since, durable or
//   not: commands on an account pipeline. Its answers are final. A store
//   failure is sticky, so a decision built on an event that then failed is
//   never acknowledged either.
// - A store shared with other replicas: an AccountCache of the accounts in
//   use. It may miss other replicas' events, or the whole account (one not
//   cached is decided as new), so the store has the last word, inside its
//   commits, where no replica can race it: a refusal (ABORTED,
//   FAILED_PRECONDITION, OUT_OF_RANGE) is only given once a commit confirmed
//   the account's version and the command id's absence, and a decision the
//   store finds stale (another replica wrote first) is made again there,
//   never answered ABORTED; a command id another replica accepted is found
//   in the store and gets its original reply. No command waits on a read of
//   its own. The cache only ever holds states the store has (had): an
//   account has at most one command between decision and outcome, and the
//   next waits for that outcome. A decision on a state that was never stored
//   could pass the store's version check (another replica's event taking the
//   version of a refused one) and overdraw.
class CommandHandler {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<bank::v1::CommandReply>) &&>;
  using TransferDone = absl::AnyInvocable<void(absl::StatusOr<bank::v1::TransferReply>) &&>;

  // One writer: `book` is the state recovered from every event of `store`.
  // `store` must outlive the handler and every callback still pending in it.
  CommandHandler(EventStore& store, AccountBook book);
  // A shared store; at most `cached_accounts` accounts are kept in memory.
  CommandHandler(SharedEventStore& store, size_t cached_accounts);

  // Runs `command`; `done` runs exactly once, on this thread for an answer
  // known at once, else on the thread that commits its event (see
  // EventStore::Commit): this one, or another caller's. So Execute may block
  // while it writes and syncs a group of events, its own and other callers';
  // in the service that is a gRPC thread, and the replies leave from it. (On
  // a shared store, a command waiting for another on its account is decided
  // and appended on the thread that answers that one.)
  void Execute(Command command, Done done);

  // Runs a transfer (command.kind kTransfer), as Execute runs a deposit or a
  // withdrawal: decided over both accounts' states under the same lock
  // (DecideTransfer), and appended as one group of two events, so commands
  // on either account are serialised with it. On a shared store it holds
  // both accounts, in AccountsOf's order; a refusal made on the cache is
  // made again on what the store holds (a read of both accounts) rather
  // than confirmed inside a commit, and a stale acceptance is decided again
  // inside the commit on both accounts' stored events.
  void ExecuteTransfer(Command command, TransferDone done);

  // For shutdown: refuses new commands with UNAVAILABLE from now on and waits
  // up to `timeout` for those already sequenced (or waiting for their
  // account) to be answered. Returns how many are still unanswered.
  int Drain(absl::Duration timeout);

 private:
  // Receives a command's outcome; Execute and ExecuteTransfer turn it into
  // their replies.
  using Answered = absl::AnyInvocable<void(absl::StatusOr<RecordedCommand>) &&>;

  // One try at a command, and what earlier tries left it.
  struct Attempt {
    Command command;
    Answered done;
    int number = 1;
    // It holds the command id's in_flight_commands_ entry (an earlier try
    // appended), and counts in in_flight_.
    bool in_flight = false;
    // How many of its accounts (AccountsOf) it holds on a shared store, in
    // their order (see busy_accounts_).
    size_t accounts_held = 0;
  };

  // The accounts `command` changes, in the order they are held: one, or a
  // transfer's two by id, so that two transfers never wait for each other
  // in a circle.
  static std::vector<std::string> AccountsOf(const Command& command);

  // Decides `attempt` on the state this process holds, or on `fresh` when
  // the store was read for it; appends, answers, parks it, or reads the
  // store and tries again. True when it appended to the store (it, or a
  // command it let go on): a caller outside the store's callbacks commits
  // then, while in a callback the committing thread does.
  bool Run(Attempt attempt, const StoreView* fresh);
  // Runs `attempt` again on the account and its command id as the shared
  // store holds them; Run's result.
  bool RunOnStoreView(Attempt attempt);
  // True when `attempt` holds its accounts, now or already. Otherwise false,
  // and the attempt (holding those before) has been moved behind the command
  // that holds the first one it lacks.
  bool HoldAccountsLocked(Attempt& attempt) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands the account on to the next command waiting for it, if any.
  std::optional<Attempt> ReleaseAccountLocked(const std::string& account_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Holds `state`, which the store has (had), unless a newer one is held.
  void RememberLocked(const std::string& account_id, AccountState state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Validates `command` and runs it.
  void Start(Command command, Answered done);
  // Records the `group` decided (its first event on `decided_on`, a
  // transfer's second on `to_decided_on`) as sequenced and hands it to the
  // store.
  void AppendLocked(std::vector<bank::v1::Event> group, AccountState decided_on,
                    AccountState to_decided_on, Attempt attempt) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands the refusal of `attempt`, judged on `judged_on`, to the shared
  // store to confirm or decide again (SharedEventStore::ConfirmOrRedecide).
  void ConfirmLocked(absl::Status refusal, AccountState judged_on, Attempt attempt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The store's verdict on an appended event: one writer's, and a shared
  // store's, where `redecision` tells what the store decided in its stead.
  bool OnAppended(Attempt attempt, RecordedCommand recorded, absl::StatusOr<uint64_t> position);
  bool OnSharedAppended(Attempt attempt, RecordedCommand recorded, AccountState decided,
                        AccountState to_decided, const Redecision& redecision,
                        absl::StatusOr<uint64_t> position);
  bool AllAnsweredLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ + waiting_ == 0;
  }
  // Ends `attempt` with `answer`, and every retry parked on it, and lets the
  // next command on its account go on (see Run for the result).
  bool Answer(Attempt attempt, absl::StatusOr<RecordedCommand> answer);
  // The command accepted under `command_id`, durable or still in flight
  // (position 0), as far as this process knows; nullopt when the id is new
  // to it.
  absl::StatusOr<std::optional<RecordedCommand>> FindOriginalLocked(const std::string& command_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The account's state with every event sequenced here; on a shared store,
  // what the cache holds of it (see StateLocked's comment).
  AccountState StateLocked(const std::string& account_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A command with an id whose event is not durable yet, and the retries
  // that arrived meanwhile: they get its answer when it has one.
  struct InFlightCommand {
    RecordedCommand command;
    std::vector<Answered> retries;
  };

  EventStore& store_;
  SharedEventStore* const shared_;  // null with one writer
  absl::Mutex mu_;
  AccountBook book_ ABSL_GUARDED_BY(mu_);    // one writer: every account
  AccountCache cache_ ABSL_GUARDED_BY(mu_);  // a shared store: the accounts in use
  absl::flat_hash_map<std::string, InFlightCommand> in_flight_commands_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // appended, not yet answered
  // A shared store's accounts with a command between decision and outcome,
  // each with the commands that wait for it, in arrival order.
  absl::flat_hash_map<std::string, std::deque<Attempt>> busy_accounts_ ABSL_GUARDED_BY(mu_);
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;  // in busy_accounts_
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_HANDLER_H_
