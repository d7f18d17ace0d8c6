#include "command-service/account_book.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace bank::command {

bank::v1::CommandReply ReplyOf(const RecordedCommand& command) {
  bank::v1::CommandReply reply;
  reply.set_account_id(command.account_id);
  reply.set_version(command.version);
  reply.set_position(command.position);
  reply.set_balance(command.balance_after);
  return reply;
}

AccountState AccountBook::Get(absl::string_view account_id) const {
  const AccountState* state = accounts_.Find(account_id);
  return state == nullptr ? AccountState{} : *state;
}

absl::Status AccountBook::Apply(const bank::v1::Event& event) {
  // The checksum only proves the bytes are the ones written; ids that no
  // command could have carried must not reach the indexes.
  if (!IsValidAccountId(event.account_id()) ||
      (!event.command_id().empty() && !IsValidCommandId(event.command_id()))) {
    return absl::DataLossError(absl::StrCat("event at version ", event.version(),
                                            " carries an account or command id that no command "
                                            "could have had"));
  }
  const AccountState* current = accounts_.Find(event.account_id());
  const AccountState state = current == nullptr ? AccountState{} : *current;
  if (event.version() != state.version + 1) {
    return absl::DataLossError(absl::StrCat("event for account ", event.account_id(),
                                            " has version ", event.version(), " where ",
                                            state.version + 1, " was expected"));
  }
  // Nor may an event no command could have produced reach Apply's arithmetic.
  const int64_t amount = EventAmount(event);
  if (amount <= 0 ||
      (event.has_withdrawn() ? amount > state.balance
                             : amount > std::numeric_limits<int64_t>::max() - state.balance)) {
    return absl::DataLossError(
        absl::StrCat("event for account ", event.account_id(), " at version ", event.version(),
                     " is a ", CommandName(EventKind(event)), " of ", amount, " on a balance of ",
                     state.balance, ", which no command could have produced"));
  }
  accounts_.FindOrAdd(event.account_id()) = command::Apply(state, event);
  return absl::OkStatus();
}

absl::Status AccountBook::RecordCommand(absl::string_view command_id, CommandLocation location) {
  if (!commands_.Insert(command_id, location)) {
    return absl::DataLossError(absl::StrCat("command id ", command_id,
                                            " appears on two events (the second at position ",
                                            location.position, ")"));
  }
  return absl::OkStatus();
}

absl::Status AccountBook::Replay(const bank::v1::Event& event) {
  if (absl::Status applied = Apply(event); !applied.ok()) return applied;
  if (event.command_id().empty()) return absl::OkStatus();
  return RecordCommand(event.command_id(),
                       {event.position(), accounts_.Find(event.account_id())->balance});
}

absl::Status AccountBook::CheckCommandIdsUnique(EventReader read) const {
  absl::Status status;
  commands_.ForEachClash([&](absl::string_view id, CommandLocation whole, CommandLocation holder) {
    if (!status.ok()) return;
    absl::StatusOr<bank::v1::Event> event = read(holder.position);
    if (!event.ok()) {
      status = event.status();
    } else if (event->command_id() == id) {
      status = absl::DataLossError(absl::StrCat("command id ", id, " appears on two events (at ",
                                                holder.position, " and ", whole.position, ")"));
    }
  });
  return status;
}

absl::StatusOr<std::optional<RecordedCommand>> AccountBook::FindCommand(
    absl::string_view command_id, EventReader read) const {
  std::optional<CommandLocation> location = commands_.FindWhole(command_id);
  if (!location) location = commands_.FindCandidate(command_id);
  if (!location) return std::nullopt;
  absl::StatusOr<bank::v1::Event> event = read(location->position);
  if (!event.ok()) return event.status();
  // A fingerprint shared with another id: that command is not this one.
  if (event->command_id() != command_id) return std::nullopt;
  return RecordedCommand{event->account_id(), EventKind(*event),       EventAmount(*event),
                         event->version(),    location->balance_after, location->position};
}

}  // namespace bank::command
