#ifndef BANK_COMMAND_SERVICE_STORE_VIEW_H_
#define BANK_COMMAND_SERVICE_STORE_VIEW_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/account.h"
#include "command-service/account_book.h"
#include "command-service/store/event_store.h"

namespace bank::command {

// What a shared store knows that a replica's own state may not: the
// account's durable state, and the command an id was accepted for, whichever
// replica accepted it.
struct StoreView {
  AccountState account;
  AccountState to_account;                  // a transfer's receiving account
  std::optional<RecordedCommand> original;  // nullopt: the id is new (or empty)
};

// Reads the view for `command`: its account's events folded from its first
// (a transfer's two accounts'), and the group carrying its command id (if it
// has one) with the balances its accounts had after it. DATA_LOSS when a
// stored event is one no command could have produced; the store's error when
// it cannot be read (UNAVAILABLE while its connection is down).
absl::StatusOr<StoreView> ReadStoreView(const SharedEventStore& store, const Command& command);

// What a redecision inside the store's commit found, for the reply and for
// the replica's cache: both are the store's truth at that commit.
struct Redecision {
  std::optional<AccountState> stored;  // the account as stored; unset: not redecided
  std::optional<AccountState> after;   // after the command, when it was accepted
  // The same of a transfer's receiving account.
  std::optional<AccountState> to_stored;
  std::optional<AccountState> to_after;
};

// The redecision of `command`, first decided on `base`, for
// SharedEventStore::AppendOrRedecide: the events the store hands over (those
// after `base`) folded onto it with ApplyStored's checks, and the command
// decided again on that state. `*found` records the outcome.
SharedEventStore::Redecide RedecideCommand(Command command, AccountState base,
                                           std::shared_ptr<Redecision> found);

// The same for a transfer first decided on `from_base` and `to_base`: both
// accounts' events folded onto them, and DecideTransfer again.
SharedEventStore::Redecide RedecideTransfer(Command command, AccountState from_base,
                                            AccountState to_base,
                                            std::shared_ptr<Redecision> found);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_STORE_VIEW_H_
