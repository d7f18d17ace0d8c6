#include "command-service/write_side.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "command-service/recovered_state.h"

namespace bank::command {

absl::StatusOr<StoreChoice> ParseStoreFlag(absl::string_view flag) {
  if (flag == "file") return StoreChoice{};
  // The value may be a URI holding a password: name only its scheme.
  return absl::InvalidArgumentError(
      absl::StrCat("--store must be `file`, the only store of this build; got a value starting \"",
                   flag.substr(0, flag.find(':')), "\""));
}

namespace {

absl::StatusOr<WriteSide> OpenFileWriteSide(const WriteSideOptions& options) {
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<RecoveredState> recovered = RecoverState(
      {.dir = options.data_dir, .segment_bytes = options.segment_bytes}, options.command_retention);
  if (!recovered.ok()) {
    return absl::Status(recovered.status().code(),
                        absl::StrCat("the event log in ", options.data_dir,
                                     " cannot be recovered: ", recovered.status().message()));
  }
  WriteSide side;
  side.lock = std::move(*lock);
  side.description =
      absl::StrCat("file log in ", options.data_dir, ": ", recovered->book.account_count(),
                   " accounts, ", recovered->book.command_count(), " command ids");
  side.store = std::move(recovered->log);
  side.handler = std::make_unique<CommandHandler>(*side.store, std::move(recovered->book));
  return side;
}

}  // namespace

absl::StatusOr<WriteSide> OpenWriteSide(const WriteSideOptions& options) {
  return OpenFileWriteSide(options);
}

}  // namespace bank::command
