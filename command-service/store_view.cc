#include "command-service/store_view.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/balance_effect.h"

namespace bank::command {

namespace {

// The state of `account_id` folded from `events` onto `state` (in version
// order; other accounts' are skipped), up to its event at `up_to_version`
// (all of them when nullopt).
absl::StatusOr<AccountState> Fold(absl::string_view account_id,
                                  const std::vector<bank::v1::Event>& events, AccountState state,
                                  std::optional<uint64_t> up_to_version = std::nullopt) {
  for (const bank::v1::Event& event : events) {
    if (event.account_id() != account_id) continue;
    if (up_to_version && event.version() > *up_to_version) break;
    absl::StatusOr<AccountState> applied = ApplyStored(state, event);
    if (!applied.ok()) return applied.status();
    state = *applied;
  }
  if (up_to_version && state.version != *up_to_version) {
    return absl::DataLossError(absl::StrCat("account ", account_id, " has no event at version ",
                                            *up_to_version, " in the store"));
  }
  return state;
}

// The same, read from the store.
absl::StatusOr<AccountState> FoldAccount(const SharedEventStore& store,
                                         absl::string_view account_id,
                                         std::optional<uint64_t> up_to_version) {
  std::vector<bank::v1::Event> events;
  if (absl::Status read = store.ReadAccount(account_id, 0, &events); !read.ok()) return read;
  return Fold(account_id, events, AccountState{}, up_to_version);
}

}  // namespace

SharedEventStore::Redecide RedecideCommand(Command command, AccountState base,
                                           std::shared_ptr<Redecision> found) {
  return [command = std::move(command), base,
          found = std::move(found)](const std::vector<bank::v1::Event>& stored)
             -> absl::StatusOr<std::vector<bank::v1::Event>> {
    *found = Redecision{};  // a store may ask again (see AppendOrRedecide)
    absl::StatusOr<AccountState> state = Fold(command.account_id, stored, base);
    if (!state.ok()) return state.status();
    found->stored = *state;
    absl::StatusOr<bank::v1::Event> event = Decide(*state, command);
    if (!event.ok()) return event.status();
    found->after = Apply(*state, *event);
    std::vector<bank::v1::Event> group;
    group.push_back(*std::move(event));
    return group;
  };
}

SharedEventStore::Redecide RedecideTransfer(Command command, AccountState from_base,
                                            AccountState to_base,
                                            std::shared_ptr<Redecision> found) {
  return [command = std::move(command), from_base, to_base,
          found = std::move(found)](const std::vector<bank::v1::Event>& stored)
             -> absl::StatusOr<std::vector<bank::v1::Event>> {
    *found = Redecision{};  // a store may ask again (see AppendOrRedecide)
    absl::StatusOr<AccountState> from = Fold(command.account_id, stored, from_base);
    if (!from.ok()) return from.status();
    absl::StatusOr<AccountState> to = Fold(command.to_account_id, stored, to_base);
    if (!to.ok()) return to.status();
    found->stored = *from;
    found->to_stored = *to;
    absl::StatusOr<std::vector<bank::v1::Event>> legs = DecideTransfer(*from, *to, command);
    if (!legs.ok()) return legs.status();
    found->after = Apply(*from, (*legs)[0]);
    found->to_after = Apply(*to, (*legs)[1]);
    return legs;
  };
}

absl::StatusOr<StoreView> ReadStoreView(const SharedEventStore& store, const Command& command) {
  StoreView view;
  if (!command.command_id.empty()) {
    std::vector<bank::v1::Event> group;
    if (absl::Status read = store.ReadCommand(command.command_id, &group); !read.ok()) return read;
    if (!group.empty()) {
      // The command's reply is its first event's (a Deposit's or Withdraw's
      // only one; a transfer's from account's, and its second event's).
      const bank::v1::Event& first = group.front();
      absl::StatusOr<AccountState> after = FoldAccount(store, first.account_id(), first.version());
      if (!after.ok()) return after.status();
      view.original = RecordedCommand{.account_id = first.account_id(),
                                      .kind = EventKind(first),
                                      .amount = AmountMoved(first),
                                      .version = first.version(),
                                      .balance_after = after->balance,
                                      .position = first.position(),
                                      .to_account_id = "",
                                      .to_version = 0,
                                      .to_balance_after = 0};
      if (group.size() > 1) {
        const bank::v1::Event& in = group[1];
        absl::StatusOr<AccountState> to = FoldAccount(store, in.account_id(), in.version());
        if (!to.ok()) return to.status();
        view.original->to_account_id = in.account_id();
        view.original->to_version = in.version();
        view.original->to_balance_after = to->balance;
      }
    }
  }
  absl::StatusOr<AccountState> account = FoldAccount(store, command.account_id, std::nullopt);
  if (!account.ok()) return account.status();
  view.account = *account;
  if (command.kind == CommandKind::kTransfer) {
    absl::StatusOr<AccountState> to = FoldAccount(store, command.to_account_id, std::nullopt);
    if (!to.ok()) return to.status();
    view.to_account = *to;
  }
  return view;
}

}  // namespace bank::command
