#ifndef BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_

#include <cstdint>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/v1/command_service.pb.h"
#include "bank/v1/event.pb.h"
#include "command-service/account.h"
#include "command-service/command_index.h"

namespace bank::command {

// The reply a recorded command was given.
bank::v1::CommandReply ReplyOf(const RecordedCommand& command);

// The command side's in-memory state: every account's aggregate state and
// every accepted command by id. Rebuilt from the log at start-up by applying
// each event in order; not thread-safe (CommandHandler owns it under a lock).
class AccountBook {
 public:
  // The account's state; zero balance and version 0 when it has no events.
  AccountState Get(absl::string_view account_id) const;

  // Folds `event` into its account and records its command_id. `position` is
  // the event's durable position, or 0 for an event still being written (set
  // it with MarkDurable). DATA_LOSS when an id breaks the contract's rules,
  // the version is not the account's next,
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
  CommandIndex commands_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
