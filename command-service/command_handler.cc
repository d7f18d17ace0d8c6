#include "command-service/command_handler.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "command-service/account.h"

namespace bank::command {

namespace {

bool SameCommand(const RecordedCommand& original, const Command& command) {
  return original.kind == command.kind && original.account_id == command.account_id &&
         original.amount == command.amount;
}

absl::Status CommandIdReused(const RecordedCommand& original, const Command& command) {
  return absl::AlreadyExistsError(
      absl::StrCat("command_id ", command.command_id, " was already used for a ",
                   CommandName(original.kind), " of ", original.amount, " on account ",
                   original.account_id, "; use a new command_id for a new command"));
}

}  // namespace

void CommandHandler::Execute(Command command, Done done) {
  if (absl::Status valid = ValidateCommand(command); !valid.ok()) {
    std::move(done)(valid);
    return;
  }
  absl::StatusOr<bank::v1::CommandReply> answer;
  bool appended = false;
  {
    absl::MutexLock lock(&mu_);
    // A retry is recognised before any state check.
    absl::StatusOr<std::optional<RecordedCommand>> original =
        FindOriginalLocked(command.command_id);
    if (!original.ok()) {
      answer = original.status();
    } else if (original->has_value()) {
      const RecordedCommand& recorded = **original;
      if (!SameCommand(recorded, command)) {
        answer = CommandIdReused(recorded, command);
      } else if (recorded.position == 0) {
        in_flight_commands_[command.command_id].retries.push_back(std::move(done));
        return;
      } else {
        answer = ReplyOf(recorded);
      }
    } else {
      absl::Status health =
          draining_ ? absl::UnavailableError("the command service is shutting down; retry shortly")
                    : store_.health();
      absl::StatusOr<bank::v1::Event> event =
          health.ok() ? Decide(book_.Get(command.account_id), command) : health;
      if (event.ok()) {
        AppendLocked(std::move(*event), std::move(done));
        appended = true;
      } else {
        answer = event.status();
      }
    }
  }
  if (appended) {
    // Appended: made durable here, outside the lock, unless another thread
    // is committing already (it then commits this event too).
    store_.Commit();
    return;
  }
  std::move(done)(std::move(answer));
}

absl::StatusOr<std::optional<RecordedCommand>> CommandHandler::FindOriginalLocked(
    const std::string& command_id) {
  if (command_id.empty()) return std::nullopt;
  if (auto in_flight = in_flight_commands_.find(command_id);
      in_flight != in_flight_commands_.end()) {
    return in_flight->second.command;
  }
  return book_.FindCommand(command_id,
                           [this](uint64_t position) { return ReadEventAt(store_, position); });
}

void CommandHandler::AppendLocked(bank::v1::Event event, Done done) {
  // Apply cannot fail here: Decide chose the account's next version and a
  // valid amount.
  const AccountState state = *book_.Apply(event);
  bank::v1::CommandReply reply;
  reply.set_account_id(event.account_id());
  reply.set_version(state.version);
  reply.set_balance(state.balance);
  if (!event.command_id().empty()) {
    in_flight_commands_[event.command_id()].command =
        RecordedCommand{event.account_id(), EventKind(event), EventAmount(event),
                        event.version(),    reply.balance(),  /*position=*/0};
  }
  std::string command_id = event.command_id();
  ++in_flight_;
  store_.Append(std::move(event),
                [this, command_id = std::move(command_id), reply = std::move(reply),
                 done = std::move(done)](absl::StatusOr<uint64_t> position) mutable {
                  OnAppended(command_id, std::move(reply), position, std::move(done));
                });
}

int CommandHandler::Drain(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](int* in_flight) { return *in_flight == 0; }, &in_flight_),
                       timeout);
  return in_flight_;
}

void CommandHandler::OnAppended(const std::string& command_id, bank::v1::CommandReply reply,
                                absl::StatusOr<uint64_t> position, Done done) {
  std::vector<Done> retries;
  {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (!command_id.empty()) {
      auto in_flight = in_flight_commands_.extract(command_id);
      retries = std::move(in_flight.mapped().retries);
      if (position.ok()) book_.RecordCommand(command_id, {*position, reply.balance()});
    }
  }
  absl::StatusOr<bank::v1::CommandReply> answer;
  if (position.ok()) {
    spdlog::debug("accepted a command on {} at position {}", reply.account_id(), *position);
    reply.set_position(*position);
    answer = std::move(reply);
  } else {
    answer = position.status();
  }
  for (Done& retry : retries) std::move(retry)(answer);
  std::move(done)(std::move(answer));
}

}  // namespace bank::command
