#ifndef BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/v1/command_service.pb.h"
#include "bank/v1/event.pb.h"
#include "command-service/account.h"

namespace bank::command {

// An accepted command, kept under its command_id so that a retry gets the
// original reply however the account has changed since.
struct RecordedCommand {
  const std::string* account_id;  // the key in AccountBook's accounts, stable
  CommandKind kind;
  int64_t amount;
  uint64_t version;
  int64_t balance_after;
  uint64_t position;  // 0 while the event is not yet durable

  bank::v1::CommandReply Reply() const;
};

// The command side's in-memory state: every account's aggregate state and
// every accepted command by id. Rebuilt from the log at start-up by applying
// each event in order; not thread-safe (CommandHandler owns it under a lock).
class AccountBook {
 public:
  // The account's state; zero balance and version 0 when it has no events.
  AccountState Get(absl::string_view account_id) const;

  // Folds `event` into its account and records its command_id. `position` is
  // the event's durable position, or 0 for an event still being written (set
  // it with MarkDurable). DATA_LOSS when the version is not the account's next,
  // the amount is one Decide never accepts (not positive, an overdraft, or a
  // balance past int64) or the command id was already used: the log is
  // inconsistent.
  absl::Status Apply(const bank::v1::Event& event, uint64_t position);

  // The accepted command with this id, or nullptr.
  RecordedCommand* FindCommand(absl::string_view command_id);

  void MarkDurable(absl::string_view command_id, uint64_t position);
  // Forgets a command whose event will never be written.
  void ForgetCommand(absl::string_view command_id);

  size_t account_count() const { return accounts_.size(); }
  size_t command_count() const { return commands_.size(); }

 private:
  // node_hash_map: the key strings stay put, so commands can point at them.
  absl::node_hash_map<std::string, AccountState> accounts_;
  absl::flat_hash_map<std::string, RecordedCommand> commands_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
