#include "command-service/account_book.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace bank::command {

bank::v1::CommandReply ReplyOf(const RecordedCommand& command) {
  bank::v1::CommandReply reply;
  reply.set_account_id(*command.account_id);
  reply.set_version(command.version);
  reply.set_position(command.position);
  reply.set_balance(command.balance_after);
  return reply;
}

AccountState AccountBook::Get(absl::string_view account_id) const {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? AccountState{} : it->second;
}

absl::Status AccountBook::Apply(const bank::v1::Event& event, uint64_t position) {
  // The checksum only proves the bytes are the ones written; ids that no
  // command could have carried must not reach the indexes.
  if (!IsValidAccountId(event.account_id()) ||
      (!event.command_id().empty() && !IsValidCommandId(event.command_id()))) {
    return absl::DataLossError(absl::StrCat("event at version ", event.version(),
                                            " carries an account or command id that no command "
                                            "could have had"));
  }
  auto [account, inserted] = accounts_.try_emplace(event.account_id());
  if (event.version() != account->second.version + 1) {
    return absl::DataLossError(absl::StrCat("event for account ", event.account_id(),
                                            " has version ", event.version(), " where ",
                                            account->second.version + 1, " was expected"));
  }
  // The checksum only proves the bytes are the ones written; an event no
  // command could have produced must not reach Apply's arithmetic.
  const int64_t amount = EventAmount(event);
  const int64_t balance = account->second.balance;
  if (amount <= 0 ||
      (event.has_withdrawn() ? amount > balance
                             : amount > std::numeric_limits<int64_t>::max() - balance)) {
    return absl::DataLossError(
        absl::StrCat("event for account ", event.account_id(), " at version ", event.version(),
                     " is a ", CommandName(EventKind(event)), " of ", amount, " on a balance of ",
                     balance, ", which no command could have produced"));
  }
  account->second = command::Apply(account->second, event);
  if (event.command_id().empty()) return absl::OkStatus();
  const bool new_id = commands_.Insert(
      event.command_id(), RecordedCommand{&account->first, EventKind(event), EventAmount(event),
                                          event.version(), account->second.balance, position});
  if (!new_id) {
    return absl::DataLossError(
        absl::StrCat("command id ", event.command_id(), " appears on two events"));
  }
  return absl::OkStatus();
}

RecordedCommand* AccountBook::FindCommand(absl::string_view command_id) {
  return commands_.Find(command_id);
}

void AccountBook::MarkDurable(absl::string_view command_id, uint64_t position) {
  if (RecordedCommand* command = FindCommand(command_id)) command->position = position;
}

void AccountBook::ForgetCommand(absl::string_view command_id) { commands_.Erase(command_id); }

}  // namespace bank::command
