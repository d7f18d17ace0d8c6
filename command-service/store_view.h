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
  std::optional<RecordedCommand> original;  // nullopt: the id is new (or empty)
};

// Reads the view for a command on `account_id` with `command_id` (may be
// empty): the account's events folded from its first, and the group carrying
// the id with the balance its account had after it. DATA_LOSS when a stored
// event is one no command could have produced; the store's error when it
// cannot be read (UNAVAILABLE while its connection is down).
absl::StatusOr<StoreView> ReadStoreView(const SharedEventStore& store, absl::string_view account_id,
                                        absl::string_view command_id);

// The redecision of `command` for SharedEventStore::AppendOrRedecide: its
// account folded from the events the store hands over (ApplyStored's checks),
// and the command decided on that state. When it returns an event,
// `*decided` holds the account's state after it, for the reply.
SharedEventStore::Redecide RedecideCommand(Command command,
                                           std::shared_ptr<std::optional<AccountState>> decided);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_STORE_VIEW_H_
