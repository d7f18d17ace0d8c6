#include "command-service/write_side.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "command-service/recovered_state.h"
#include "command-service/store/postgres/postgres_event_store.h"
#include "command-service/store/postgres/store_uri.h"

namespace bank::command {

absl::StatusOr<StoreChoice> ParseStoreFlag(absl::string_view flag) {
  if (flag == "file") return StoreChoice{};
  if (store::postgres::IsPostgresUri(flag)) {
    const std::string uri(flag);
    if (absl::Status valid = store::postgres::ValidateUri(uri); !valid.ok()) return valid;
    return StoreChoice{.kind = StoreChoice::Kind::kPostgres, .uri = uri};
  }
  // The value may be a URI holding a password: name only its scheme.
  return absl::InvalidArgumentError(
      absl::StrCat("--store must be `file` or a postgresql:// URI; got a value starting \"",
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
  const log::EventLog& log = *recovered->log;
  side.store = std::move(recovered->log);
  side.handler = std::make_unique<CommandHandler>(*side.store, std::move(recovered->book));
  if (options.snapshot_every > 0) {
    side.snapshots = std::make_unique<SnapshotWriter>(
        log, SnapshotWriter::Options{.dir = options.data_dir,
                                     .every = options.snapshot_every,
                                     .command_retention = options.command_retention,
                                     .newest = recovered->snapshot_position});
  }
  return side;
}

absl::StatusOr<WriteSide> OpenPostgresWriteSide(const WriteSideOptions& options) {
  absl::StatusOr<std::unique_ptr<store::postgres::PostgresEventStore>> store =
      store::postgres::PostgresEventStore::Open(
          {.uri = options.store.uri, .schema = options.store_schema});
  if (!store.ok()) return store.status();
  WriteSide side;
  side.description =
      absl::StrCat((*store)->description(), ", head at position ", (*store)->durable_head(),
                   ", accounts load on first use (", options.cached_accounts, " kept in memory)");
  side.handler = std::make_unique<CommandHandler>(**store, options.cached_accounts);
  side.store = std::move(*store);
  return side;
}

}  // namespace

absl::StatusOr<WriteSide> OpenWriteSide(const WriteSideOptions& options) {
  switch (options.store.kind) {
    case StoreChoice::Kind::kFile:
      return OpenFileWriteSide(options);
    case StoreChoice::Kind::kPostgres:
      return OpenPostgresWriteSide(options);
  }
  return absl::InternalError("unknown store kind");
}

}  // namespace bank::command
