#include "command-service/command_handler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "command-service/account.h"
#include "common/balance_effect.h"

namespace bank::command {

namespace {

// Tries of one command on a shared store before it gives up: each one lost
// a race to another replica's write on the same account.
constexpr int kMaxAttempts = 8;

bool SameCommand(const RecordedCommand& original, const Command& command) {
  return original.kind == command.kind && original.account_id == command.account_id &&
         original.amount == command.amount && original.to_account_id == command.to_account_id;
}

absl::Status CommandIdReused(const RecordedCommand& original, const Command& command) {
  const std::string accounts =
      original.kind == CommandKind::kTransfer
          ? absl::StrCat(" from account ", original.account_id, " to ", original.to_account_id)
          : absl::StrCat(" on account ", original.account_id);
  return absl::AlreadyExistsError(absl::StrCat(
      "command_id ", command.command_id, " was already used for a ", CommandName(original.kind),
      " of ", original.amount, accounts, "; use a new command_id for a new command"));
}

// What `command` is recorded as before its outcome fills in the rest.
RecordedCommand Unanswered(const Command& command) {
  return RecordedCommand{.account_id = command.account_id,
                         .kind = command.kind,
                         .amount = command.amount,
                         .version = 0,
                         .balance_after = 0,
                         .position = 0,
                         .to_account_id = command.to_account_id,
                         .to_version = 0,
                         .to_balance_after = 0};
}

bool IsConflict(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kAlreadyExists;
}

}  // namespace

CommandHandler::CommandHandler(EventStore& store, AccountBook book)
    : store_(store), shared_(nullptr), book_(std::move(book)), cache_(0) {}

CommandHandler::CommandHandler(SharedEventStore& store, size_t cached_accounts)
    : store_(store), shared_(&store), cache_(cached_accounts) {}

void CommandHandler::Execute(Command command, Done done) {
  Start(std::move(command),
        [done = std::move(done)](absl::StatusOr<RecordedCommand> answer) mutable {
          if (!answer.ok()) {
            std::move(done)(answer.status());
          } else {
            std::move(done)(ReplyOf(*answer));
          }
        });
}

void CommandHandler::ExecuteTransfer(Command command, TransferDone done) {
  Start(std::move(command),
        [done = std::move(done)](absl::StatusOr<RecordedCommand> answer) mutable {
          if (!answer.ok()) {
            std::move(done)(answer.status());
          } else {
            std::move(done)(TransferReplyOf(*answer));
          }
        });
}

void CommandHandler::Start(Command command, Answered done) {
  if (absl::Status valid = ValidateCommand(command); !valid.ok()) {
    std::move(done)(valid);
    return;
  }
  if (Run(Attempt{.command = std::move(command), .done = std::move(done)}, nullptr)) {
    // Made durable here, outside the lock, unless another thread is
    // committing already (it then commits this event too).
    store_.Commit();
  }
}

bool CommandHandler::Run(Attempt attempt, const StoreView* fresh) {
  const Command& command = attempt.command;
  enum class Next { kAnswer, kAppended, kParked, kReadStore } next = Next::kAnswer;
  absl::StatusOr<RecordedCommand> answer;
  {
    absl::MutexLock lock(&mu_);
    // A retry is recognised before any state check. (An attempt that
    // appended before holds its own id's entry: it is not its own retry.)
    absl::StatusOr<std::optional<RecordedCommand>> original = std::nullopt;
    if (!attempt.in_flight) original = FindOriginalLocked(command.command_id);
    if (original.ok() && !original->has_value() && fresh != nullptr) original = fresh->original;

    if (!original.ok()) {
      answer = original.status();
    } else if (original->has_value()) {
      const RecordedCommand& recorded = **original;
      if (!SameCommand(recorded, command)) {
        answer = CommandIdReused(recorded, command);
      } else if (recorded.position == 0) {
        in_flight_commands_[command.command_id].retries.push_back(std::move(attempt.done));
        next = Next::kParked;
      } else {
        answer = recorded;
      }
    } else if (draining_) {
      answer = absl::UnavailableError("the command service is shutting down; retry shortly");
    } else if (absl::Status health = store_.health(); shared_ == nullptr && !health.ok()) {
      // One writer's failures are sticky. A shared store's are not: its
      // appends answer for themselves, and they are how it recovers.
      answer = health;
    } else if (!HoldAccountsLocked(attempt)) {
      next = Next::kParked;
    } else if (command.kind == CommandKind::kTransfer) {
      // Every command on either account is decided under this same lock
      // (one writer), or waits for this one's outcome (a shared store).
      if (fresh != nullptr) {
        RememberLocked(command.account_id, fresh->account);
        RememberLocked(command.to_account_id, fresh->to_account);
      }
      const AccountState from = StateLocked(command.account_id);
      const AccountState to = StateLocked(command.to_account_id);
      if (absl::StatusOr<std::vector<bank::v1::Event>> legs = DecideTransfer(from, to, command);
          legs.ok()) {
        AppendLocked(*std::move(legs), from, to, std::move(attempt));
        next = Next::kAppended;
      } else if (shared_ != nullptr && fresh == nullptr) {
        // Refused on states other replicas may have moved on from, or the
        // retry of a transfer one of them accepted: decided again on what
        // the store holds.
        next = Next::kReadStore;
      } else {
        answer = legs.status();
      }
    } else {
      if (fresh != nullptr) RememberLocked(command.account_id, fresh->account);
      const AccountState state = StateLocked(command.account_id);
      if (absl::StatusOr<bank::v1::Event> event = Decide(state, command); event.ok()) {
        std::vector<bank::v1::Event> group;
        group.push_back(*std::move(event));
        AppendLocked(std::move(group), state, AccountState{}, std::move(attempt));
        next = Next::kAppended;
      } else if (shared_ != nullptr && fresh == nullptr) {
        // Refused on a state other replicas may have moved on from, or the
        // retry of a command one of them accepted: the store confirms the
        // refusal, or decides again, inside its next commit.
        ConfirmLocked(event.status(), state, std::move(attempt));
        next = Next::kAppended;
      } else {
        answer = event.status();
      }
    }
  }
  switch (next) {
    case Next::kParked:
      return false;
    case Next::kAppended:
      return true;
    case Next::kAnswer:
      return Answer(std::move(attempt), std::move(answer));
    case Next::kReadStore:
      break;
  }
  return RunOnStoreView(std::move(attempt));
}

bool CommandHandler::RunOnStoreView(Attempt attempt) {
  if (attempt.number >= kMaxAttempts) {
    absl::Status contended = absl::UnavailableError(
        absl::StrCat("account ", attempt.command.account_id,
                     " changed on other replicas during each of ", kMaxAttempts, " tries; retry"));
    return Answer(std::move(attempt), std::move(contended));
  }
  absl::StatusOr<StoreView> view = ReadStoreView(*shared_, attempt.command);
  if (!view.ok()) return Answer(std::move(attempt), view.status());
  ++attempt.number;
  return Run(std::move(attempt), &*view);
}

std::vector<std::string> CommandHandler::AccountsOf(const Command& command) {
  if (command.kind != CommandKind::kTransfer) return {command.account_id};
  std::vector<std::string> accounts = {command.account_id, command.to_account_id};
  std::sort(accounts.begin(), accounts.end());
  return accounts;
}

bool CommandHandler::HoldAccountsLocked(Attempt& attempt) {
  // One writer's decisions are final: commands on an account pipeline.
  if (shared_ == nullptr) return true;
  const std::vector<std::string> accounts = AccountsOf(attempt.command);
  for (; attempt.accounts_held < accounts.size(); ++attempt.accounts_held) {
    auto [busy, free] = busy_accounts_.try_emplace(accounts[attempt.accounts_held]);
    if (!free) {
      busy->second.push_back(std::move(attempt));
      ++waiting_;
      return false;
    }
  }
  return true;
}

std::optional<CommandHandler::Attempt> CommandHandler::ReleaseAccountLocked(
    const std::string& account_id) {
  auto busy = busy_accounts_.find(account_id);
  if (busy->second.empty()) {
    busy_accounts_.erase(busy);
    return std::nullopt;
  }
  Attempt next = std::move(busy->second.front());
  busy->second.pop_front();
  --waiting_;
  ++next.accounts_held;
  return next;
}

void CommandHandler::RememberLocked(const std::string& account_id, AccountState state) {
  if (std::optional<AccountState> held = cache_.Find(account_id);
      !held || state.version >= held->version) {
    cache_.Put(account_id, state);
  }
}

absl::StatusOr<std::optional<RecordedCommand>> CommandHandler::FindOriginalLocked(
    const std::string& command_id) {
  if (command_id.empty()) return std::nullopt;
  if (auto in_flight = in_flight_commands_.find(command_id);
      in_flight != in_flight_commands_.end()) {
    return in_flight->second.command;
  }
  // A shared store is asked only when a decision needs it (see Run): the
  // store itself refuses a second event with the id.
  if (shared_ != nullptr) return std::nullopt;
  return book_.FindCommand(command_id,
                           [this](uint64_t position) { return ReadEventAt(store_, position); });
}

AccountState CommandHandler::StateLocked(const std::string& account_id) {
  // An account a replica does not hold is decided as a new one: if it is
  // not, the store decides again inside its commit, on its events.
  if (shared_ != nullptr) return cache_.Find(account_id).value_or(AccountState{});
  return book_.Get(account_id);
}

void CommandHandler::AppendLocked(std::vector<bank::v1::Event> group, const AccountState decided_on,
                                  const AccountState to_decided_on, Attempt attempt) {
  const bank::v1::Event& first = group.front();
  RecordedCommand recorded = Unanswered(attempt.command);
  AccountState state;
  AccountState to_state;
  if (shared_ != nullptr) {
    // The cache keeps what was decided on until the store has judged the
    // group: the next command on its accounts waits for that (see
    // busy_accounts_).
    state = command::Apply(decided_on, first);
    if (group.size() > 1) to_state = command::Apply(to_decided_on, group[1]);
  } else {
    // Cannot fail here: the decision chose each account's next version and
    // a valid amount.
    state = *book_.Apply(first);
    if (group.size() > 1) to_state = *book_.Apply(group[1]);
  }
  recorded.version = state.version;
  recorded.balance_after = state.balance;
  recorded.to_version = to_state.version;
  recorded.to_balance_after = to_state.balance;
  if (!first.command_id().empty()) {
    // An earlier attempt's entry keeps the retries parked on it.
    in_flight_commands_[first.command_id()].command = recorded;
  }
  if (!attempt.in_flight) {
    attempt.in_flight = true;
    ++in_flight_;
  }
  if (shared_ == nullptr) {
    store_.Append(std::move(group), [this, attempt = std::move(attempt),
                                     recorded](absl::StatusOr<uint64_t> position) mutable {
      OnAppended(std::move(attempt), std::move(recorded), std::move(position));
    });
    return;
  }
  // Decided on this replica's state; if another replica moved the account
  // on meanwhile, the store decides it again inside its commit, where no
  // replica can race it (so a hot account never starves a replica), on
  // what it holds after the state it was decided on.
  auto redecision = std::make_shared<Redecision>();
  SharedEventStore::Redecide redecide =
      attempt.command.kind == CommandKind::kTransfer
          ? RedecideTransfer(attempt.command, decided_on, to_decided_on, redecision)
          : RedecideCommand(attempt.command, decided_on, redecision);
  shared_->AppendOrRedecide(
      std::move(group), std::move(redecide),
      [this, attempt = std::move(attempt), recorded = std::move(recorded), state, to_state,
       redecision = std::move(redecision)](absl::StatusOr<uint64_t> position) mutable {
        OnSharedAppended(std::move(attempt), std::move(recorded), state, to_state, *redecision,
                         std::move(position));
      });
}

void CommandHandler::ConfirmLocked(absl::Status refusal, const AccountState judged_on,
                                   Attempt attempt) {
  const Command& command = attempt.command;
  if (!command.command_id.empty()) {
    // Its retries wait for its answer, as an appended command's do.
    in_flight_commands_[command.command_id].command = Unanswered(command);
  }
  if (!attempt.in_flight) {
    attempt.in_flight = true;
    ++in_flight_;
  }
  auto redecision = std::make_shared<Redecision>();
  SharedEventStore::Redecide redecide = RedecideCommand(command, judged_on, redecision);
  SharedEventStore::Judged judged{command.account_id, judged_on.version, command.command_id};
  shared_->ConfirmOrRedecide(
      std::move(judged), std::move(redecide),
      [this, attempt = std::move(attempt), refusal = std::move(refusal), judged_on,
       redecision = std::move(redecision)](absl::StatusOr<uint64_t> position) mutable {
        if (position.ok() && *position == 0) {
          {
            absl::MutexLock lock(&mu_);
            RememberLocked(attempt.command.account_id, judged_on);
          }
          Answer(std::move(attempt), std::move(refusal));
          return;
        }
        RecordedCommand recorded = Unanswered(attempt.command);
        OnSharedAppended(std::move(attempt), std::move(recorded), judged_on, AccountState{},
                         *redecision, std::move(position));
      });
}

bool CommandHandler::OnAppended(Attempt attempt, RecordedCommand recorded,
                                absl::StatusOr<uint64_t> position) {
  if (!position.ok()) return Answer(std::move(attempt), position.status());
  if (!attempt.command.command_id.empty()) {
    absl::MutexLock lock(&mu_);
    book_.RecordCommand(attempt.command.command_id,
                        {*position, recorded.balance_after, recorded.to_balance_after});
  }
  recorded.position = *position;
  return Answer(std::move(attempt), std::move(recorded));
}

bool CommandHandler::OnSharedAppended(Attempt attempt, RecordedCommand recorded,
                                      AccountState decided, AccountState to_decided,
                                      const Redecision& redecision,
                                      absl::StatusOr<uint64_t> position) {
  const Command& command = attempt.command;
  const bool transfer = command.kind == CommandKind::kTransfer;
  // The store refused the command on its own state, under its lock: final.
  // (Not ALREADY_EXISTS, which no decision gives: the id is stored, perhaps
  // after a redecision of a commit the store then tried again.)
  const bool refused_on_stored = redecision.stored.has_value() && !redecision.after.has_value() &&
                                 position.status().code() != absl::StatusCode::kAlreadyExists;
  const AccountState after = redecision.after.value_or(decided);
  const AccountState to_after = redecision.to_after.value_or(to_decided);
  {
    absl::MutexLock lock(&mu_);
    if (position.ok()) {
      RememberLocked(command.account_id, after);
      if (transfer) RememberLocked(command.to_account_id, to_after);
    } else if (refused_on_stored) {
      RememberLocked(command.account_id, *redecision.stored);
      if (transfer) RememberLocked(command.to_account_id, *redecision.to_stored);
    } else {
      // Not judged on what is stored: what is held may have missed it.
      cache_.Forget(command.account_id);
      if (transfer) cache_.Forget(command.to_account_id);
    }
  }
  if (position.ok()) {
    recorded.version = after.version;
    recorded.balance_after = after.balance;
    recorded.position = *position;
    if (transfer) {
      recorded.to_version = to_after.version;
      recorded.to_balance_after = to_after.balance;
    }
    return Answer(std::move(attempt), std::move(recorded));
  }
  if (IsConflict(position.status()) && !refused_on_stored) {
    // Another replica accepted the command id first: its original reply.
    return RunOnStoreView(std::move(attempt));
  }
  return Answer(std::move(attempt), position.status());
}

bool CommandHandler::Answer(Attempt attempt, absl::StatusOr<RecordedCommand> answer) {
  std::vector<Answered> retries;
  std::vector<Attempt> next;
  if (attempt.in_flight || attempt.accounts_held > 0) {
    absl::MutexLock lock(&mu_);
    if (attempt.in_flight) {
      --in_flight_;
      if (!attempt.command.command_id.empty()) {
        retries =
            std::move(in_flight_commands_.extract(attempt.command.command_id).mapped().retries);
      }
    }
    const std::vector<std::string> accounts = AccountsOf(attempt.command);
    for (size_t i = 0; i < attempt.accounts_held; ++i) {
      if (std::optional<Attempt> waiting = ReleaseAccountLocked(accounts[i])) {
        next.push_back(*std::move(waiting));
      }
    }
  }
  for (Answered& retry : retries) std::move(retry)(answer);
  std::move(attempt.done)(std::move(answer));
  // The next command on each account decides now, on what this one left.
  bool appended = false;
  for (Attempt& waiting : next) appended = Run(std::move(waiting), nullptr) || appended;
  return appended;
}

int CommandHandler::Drain(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  mu_.AwaitWithTimeout(absl::Condition(this, &CommandHandler::AllAnsweredLocked), timeout);
  return in_flight_ + waiting_;
}

}  // namespace bank::command
