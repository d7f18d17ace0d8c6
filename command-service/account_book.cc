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
    FingerprintedCommand* out =
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

void AccountBook::Note(const FingerprintedCommand& command) {
  if (noted_.size() < command_retention_) {
    noted_.push_back(command);
  } else {
    noted_[noted_count_ % command_retention_] = command;
  }
  // Once the ring holds command_retention_ ids, a snapshot's are all older.
  if (++noted_count_ == command_retention_) restored_ = {};
}

std::vector<FingerprintedCommand> AccountBook::MergedNotes(
    std::vector<FingerprintedCommand> restored, NoteRing& ring) {
  std::sort(ring.begin(), ring.end(), ByFingerprint);
  if (ring.empty()) return restored;
  // Even with nothing restored the ring is copied: its allocator is another
  // type, so its buffer cannot be moved into the result.
  std::vector<FingerprintedCommand> merged;
  ReserveOnHugePages(merged, restored.size() + ring.size());
  std::merge(restored.begin(), restored.end(), ring.begin(), ring.end(), std::back_inserter(merged),
             ByFingerprint);
  return merged;
}

std::vector<FingerprintedCommand> AccountBook::Newest(
    std::vector<FingerprintedCommand> commands) const {
  if (commands.size() <= command_retention_) return commands;
  std::vector<uint64_t> positions;
  positions.reserve(commands.size());
  for (const FingerprintedCommand& command : commands) {
    positions.push_back(command.location.position);
  }
  const uint64_t cut = OldestOfNewest(std::move(positions), command_retention_);
  // Exactly command_retention_ stay: of commands sharing the cut's position
  // (which only a damaged snapshot holds), those that fit, in their order.
  size_t room_at_cut =
      command_retention_ -
      std::count_if(commands.begin(), commands.end(), [cut](const FingerprintedCommand& command) {
        return command.location.position > cut;
      });
  size_t kept = 0;
  for (const FingerprintedCommand& command : commands) {
    const uint64_t position = command.location.position;
    if (position < cut || (position == cut && room_at_cut == 0)) continue;
    if (position == cut) --room_at_cut;
    commands[kept++] = command;
  }
  commands.resize(kept);
  return commands;
}

absl::Status AccountBook::FinishReplay(EventReader read) {
  std::vector<FingerprintedCommand> commands = MergedNotes(std::move(restored_), noted_);
  noted_ = {};
  // One id on two events is damage; two ids with one fingerprint are not.
  // Either way the two are side by side here, the earlier one first.
  for (size_t i = 1; i < commands.size(); ++i) {
    if (commands[i].fingerprint != commands[i - 1].fingerprint) continue;
    const uint64_t first = commands[i - 1].location.position;
    const uint64_t second = commands[i].location.position;
    absl::StatusOr<bank::v1::Event> first_event = read(first);
    if (!first_event.ok()) return first_event.status();
    absl::StatusOr<bank::v1::Event> second_event = read(second);
    if (!second_event.ok()) return second_event.status();
    if (first_event->command_id() == second_event->command_id()) {
      return absl::DataLossError(absl::StrCat("command id ", second_event->command_id(),
                                              " appears on two events (at ", first, " and ", second,
                                              ")"));
    }
  }
  commands_.Load(std::move(commands));
  return absl::OkStatus();
}

void AccountBook::ForEachAccount(
    absl::FunctionRef<void(absl::string_view id, const AccountState& state)> visit) const {
  accounts_.ForEach(visit);
}

std::vector<FingerprintedCommand> AccountBook::NotedByFingerprint() const {
  NoteRing ring = noted_;
  return Newest(MergedNotes(restored_, ring));
}

std::vector<FingerprintedCommand> AccountBook::TakeNotedByFingerprint() && {
  std::vector<FingerprintedCommand> merged = MergedNotes(std::move(restored_), noted_);
  // The ring, out of position order now, goes before Newest allocates; the
  // book is left as one that noted nothing.
  noted_ = {};
  noted_count_ = 0;
  return Newest(std::move(merged));
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

absl::Status AccountBook::RestoreNotedCommands(std::vector<FingerprintedCommand> commands) {
  for (size_t i = 1; i < commands.size(); ++i) {
    if (!ByFingerprint(commands[i - 1], commands[i])) {
      return absl::DataLossError(absl::StrCat("command ", i, " (at position ",
                                              commands[i].location.position,
                                              ") is out of fingerprint order"));
    }
  }
  restored_ = Newest(std::move(commands));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RecordedCommand>> AccountBook::FindCommand(
    absl::string_view command_id, EventReader read) const {
  // A candidate whose event has another id shares only its fingerprint.
  std::optional<CommandLocation> location;
  std::optional<bank::v1::Event> event;
  for (const CommandLocation& candidate : commands_.Candidates(command_id)) {
    absl::StatusOr<bank::v1::Event> read_event = read(candidate.position);
    if (!read_event.ok()) return read_event.status();
    if (read_event->command_id() != command_id) continue;
    location = candidate;
    event = *std::move(read_event);
    break;
  }
  if (!location) return std::nullopt;
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
