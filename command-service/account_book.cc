#include "command-service/account_book.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/balance_effect.h"
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

bank::v1::TransferReply TransferReplyOf(const RecordedCommand& command) {
  bank::v1::TransferReply reply;
  *reply.mutable_from_account() = ReplyOf(command);
  bank::v1::CommandReply& to = *reply.mutable_to_account();
  to.set_account_id(command.to_account_id);
  to.set_version(command.to_version);
  to.set_position(command.position == 0 ? 0 : command.position + 1);
  to.set_balance(command.to_balance_after);
  return reply;
}

AccountState AccountBook::Get(absl::string_view account_id) const {
  const AccountState* state = accounts_.Find(account_id);
  return state == nullptr ? AccountState{} : *state;
}

absl::StatusOr<AccountState> AccountBook::Apply(const bank::v1::Event& event) {
  // Checked before the lookup: the table takes valid ids only.
  if (absl::Status ids = CheckStoredIds(event); !ids.ok()) return ids;
  // One lookup an event: replay spends most of its time here. A refused
  // event may leave an account at version 0 behind; the log is refused then.
  AccountState& state = accounts_.FindOrAdd(event.account_id());
  absl::StatusOr<AccountState> applied = ApplyStored(state, event);
  if (applied.ok()) state = *applied;
  return applied;
}

void AccountBook::RecordCommand(absl::string_view command_id, CommandLocation location) {
  commands_.Insert(command_id, location);
}

absl::Status AccountBook::Replay(const bank::v1::Event& event) {
  absl::StatusOr<AccountState> applied = Apply(event);
  if (!applied.ok()) return applied.status();
  if (event.command_id().empty()) return absl::OkStatus();
  if (event.has_transferred_in()) {
    // The second event of a transfer, right after the first, which was noted
    // with the id: it adds its account's balance to that note.
    NotedCommand* out =
        noted_count_ == 0 ? nullptr : &noted_[(noted_count_ - 1) % command_retention_];
    if (out == nullptr || out->location.position + 1 != event.position()) {
      return absl::DataLossError(absl::StrCat("the transfer's incoming event at position ",
                                              event.position(),
                                              " does not follow its outgoing event"));
    }
    out->location.to_balance_after = applied->balance;
    return absl::OkStatus();
  }
  Note({CommandIndex::Fingerprint(event.command_id()), {event.position(), applied->balance, 0}});
  return absl::OkStatus();
}

void AccountBook::Note(const NotedCommand& command) {
  if (noted_.size() < command_retention_) {
    noted_.push_back(command);
  } else {
    noted_[noted_count_ % command_retention_] = command;
  }
  ++noted_count_;
}

// The ring's index of its oldest entry.
size_t AccountBook::OldestNoted() const {
  return noted_.size() < command_retention_ ? 0 : noted_count_ % command_retention_;
}

absl::Status AccountBook::FinishReplay(EventReader read) {
  const size_t oldest = OldestNoted();
  std::vector<NotedCommand> noted = std::move(noted_);
  commands_.Reserve(noted.size());
  // Oldest first, so that a clash names the earlier event as the holder.
  for (size_t i = 0; i < noted.size(); ++i) {
    const NotedCommand& id = noted[(oldest + i) % noted.size()];
    std::optional<CommandLocation> holder =
        commands_.InsertFingerprint(id.fingerprint, id.location);
    if (!holder) continue;
    // Rare: two ids with one fingerprint, or one id twice. Ask the log.
    absl::StatusOr<bank::v1::Event> first = read(holder->position);
    if (!first.ok()) return first.status();
    absl::StatusOr<bank::v1::Event> second = read(id.location.position);
    if (!second.ok()) return second.status();
    if (first->command_id() == second->command_id() ||
        !commands_.InsertWhole(second->command_id(), id.location)) {
      return absl::DataLossError(absl::StrCat("command id ", second->command_id(),
                                              " appears on two events (at ", holder->position,
                                              " and ", id.location.position, ")"));
    }
  }
  return absl::OkStatus();
}

void AccountBook::ForEachAccount(
    absl::FunctionRef<void(absl::string_view id, const AccountState& state)> visit) const {
  accounts_.ForEach(visit);
}

void AccountBook::ForEachNotedCommand(
    absl::FunctionRef<void(const NotedCommand& command)> visit) const {
  const size_t oldest = OldestNoted();
  for (size_t i = 0; i < noted_.size(); ++i) visit(noted_[(oldest + i) % noted_.size()]);
}

absl::Status AccountBook::RestoreAccount(absl::string_view id, AccountState state) {
  if (!IsValidAccountId(id)) {
    return absl::DataLossError(absl::StrCat("account id \"", absl::CHexEscape(id.substr(0, 80)),
                                            "\" is not one a command could have named"));
  }
  if (state.balance < 0 || state.version == 0) {
    return absl::DataLossError(absl::StrCat("account ", id, " has balance ", state.balance,
                                            " at version ", state.version,
                                            ", which no event leaves"));
  }
  AccountState& restored = accounts_.FindOrAdd(id);
  if (restored.version != 0) {
    return absl::DataLossError(absl::StrCat("account ", id, " appears twice"));
  }
  restored = state;
  return absl::OkStatus();
}

void AccountBook::ReserveNotedCommands(uint64_t count) {
  noted_.reserve(std::min(count, command_retention_));
}

absl::Status AccountBook::RestoreNotedCommand(const NotedCommand& command) {
  if (noted_count_ > 0 && command.location.position <=
                              noted_[(noted_count_ - 1) % command_retention_].location.position) {
    return absl::DataLossError(absl::StrCat("command at position ", command.location.position,
                                            " is not after the one before it"));
  }
  Note(command);
  return absl::OkStatus();
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
  RecordedCommand recorded{.account_id = event->account_id(),
                           .kind = EventKind(*event),
                           .amount = AmountMoved(*event),
                           .version = event->version(),
                           .balance_after = location->balance_after,
                           .position = location->position,
                           .to_account_id = "",
                           .to_version = 0,
                           .to_balance_after = 0};
  if (event->has_transferred_out()) {
    absl::StatusOr<bank::v1::Event> in = read(location->position + 1);
    if (!in.ok()) return in.status();
    recorded.to_account_id = in->account_id();
    recorded.to_version = in->version();
    recorded.to_balance_after = location->to_balance_after;
  }
  return recorded;
}

}  // namespace bank::command
