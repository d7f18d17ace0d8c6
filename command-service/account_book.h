#ifndef BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bank/v1/command_service.pb.h"
#include "bank/v1/event.pb.h"
#include "command-service/account.h"
#include "command-service/account_table.h"
#include "command-service/command.h"
#include "command-service/command_index.h"
#include "common/huge_pages.h"

namespace bank::command {

// An accepted command as a retry needs it: what it was, and its reply.
struct RecordedCommand {
  std::string account_id;
  CommandKind kind = CommandKind::kDeposit;
  int64_t amount = 0;
  uint64_t version = 0;
  int64_t balance_after = 0;
  uint64_t position = 0;  // 0 while the event is not yet durable
  // A transfer's receiving account, its version and balance after the
  // transfer (its event is at position + 1); empty and 0 for other kinds.
  std::string to_account_id;
  uint64_t to_version = 0;
  int64_t to_balance_after = 0;
};

// The reply a recorded command was given: a deposit's or withdrawal's, or
// the reply of a transfer's from account.
bank::v1::CommandReply ReplyOf(const RecordedCommand& command);
// A recorded transfer's reply.
bank::v1::TransferReply TransferReplyOf(const RecordedCommand& command);

// Reads the durable event at a position back from the log.
using EventReader = absl::FunctionRef<absl::StatusOr<bank::v1::Event>(uint64_t position)>;

// The contract's minimum: command ids hold for the last 1,000,000 commands.
inline constexpr uint64_t kMinCommandRetention = 1'000'000;

// The command side's in-memory state: every account's aggregate state and the
// accepted commands of the retention window by id. Rebuilt from the log at
// start-up by replaying each event in order; not thread-safe (CommandHandler
// owns it under a lock).
class AccountBook {
 public:
  // Remembers the newest `command_retention` command ids, and never fewer
  // than one (and up to twice as many; see CommandIndex).
  explicit AccountBook(uint64_t command_retention = kMinCommandRetention)
      : command_retention_(std::max<uint64_t>(command_retention, 1)),
        commands_(command_retention_) {}

  // The account's state; zero balance and version 0 when it has no events.
  AccountState Get(absl::string_view account_id) const;

  // Folds `event` into its account and returns the account's new state.
  // DATA_LOSS when an id breaks the contract's rules, the version is not the
  // account's next, or the amount is one Decide never accepts (not positive,
  // an overdraft, or a balance past int64): the log is inconsistent.
  absl::StatusOr<AccountState> Apply(const bank::v1::Event& event);

  // Remembers that the command `command_id`, new, was accepted at
  // `location`, a durable position above every one recorded before.
  void RecordCommand(absl::string_view command_id, CommandLocation location);

  // Start-up: Apply, and note the event's command id if it has one (a
  // transfer's once, at its first event). Only the ids of the retention
  // window end up in the index, so they are indexed at FinishReplay rather
  // than one by one (most of a long log is older).
  absl::Status Replay(const bank::v1::Event& event);

  // Start-up, after the last Replay: indexes the noted command ids of the
  // retention window. DATA_LOSS if the log carries one command id on two of
  // those events (told apart from a fingerprint clash by reading both back).
  absl::Status FinishReplay(EventReader read);

  // The recorded command with this id, confirmed against its event in the
  // log; nullopt if there is none. Fails only when the log cannot be read.
  absl::StatusOr<std::optional<RecordedCommand>> FindCommand(absl::string_view command_id,
                                                             EventReader read) const;

  size_t account_count() const { return accounts_.size(); }
  size_t command_count() const { return commands_.size(); }
  uint64_t command_retention() const { return command_retention_; }
  // Command ids restored or noted by Replay and not yet indexed by
  // FinishReplay (up to twice the retention).
  size_t noted_command_count() const { return restored_.size() + noted_.size(); }

  // Snapshots (snapshot/snapshot_format.h) of a book between Replays: what
  // it holds, and restoring it into a new book before its first Replay.
  void ForEachAccount(
      absl::FunctionRef<void(absl::string_view id, const AccountState& state)> visit) const;
  // The newest command_retention() noted commands (restored or replayed),
  // sorted ByFingerprint: the idempotency window a snapshot keeps.
  std::vector<FingerprintedCommand> NotedByFingerprint() const;
  // The same, taken rather than copied: the book is left with no noted
  // commands (noted_command_count() is 0). The snapshot writer's book is
  // thrown away once encoded, and a copy of its window costs 32 bytes an id.
  std::vector<FingerprintedCommand> TakeNotedByFingerprint() &&;
  // DATA_LOSS for an account no log could have left (a bad id, a negative
  // balance, version 0) or one restored twice.
  absl::Status RestoreAccount(absl::string_view id, AccountState state);
  // Restores a snapshot's window: `commands`, sorted ByFingerprint (DATA_LOSS
  // otherwise), older than every event Replay will see. Keeps the newest
  // command_retention() of them.
  absl::Status RestoreNotedCommands(std::vector<FingerprintedCommand> commands);

 private:
  using NoteRing = std::vector<FingerprintedCommand, HugePageAllocator<FingerprintedCommand>>;

  void Note(const FingerprintedCommand& command);
  // `restored`, sorted ByFingerprint, and `ring`'s commands, merged
  // ByFingerprint: up to twice command_retention_ (Note drops the restored
  // ones once the ring wraps). Sorts `ring` in place.
  static std::vector<FingerprintedCommand> MergedNotes(std::vector<FingerprintedCommand> restored,
                                                       NoteRing& ring);
  // The newest command_retention_ of `commands`, in their order.
  std::vector<FingerprintedCommand> Newest(std::vector<FingerprintedCommand> commands) const;

  uint64_t command_retention_;
  AccountTable accounts_;
  CommandIndex commands_;
  // The window a snapshot held, ByFingerprint; and a ring of the newest
  // command_retention_ ids Replay noted after it, in position order, in one
  // allocation so that it goes back to the OS whole when FinishReplay frees
  // it.
  std::vector<FingerprintedCommand> restored_;
  NoteRing noted_;
  uint64_t noted_count_ = 0;  // ids noted in all
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_BOOK_H_
