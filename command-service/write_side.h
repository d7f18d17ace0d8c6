#ifndef BANK_COMMAND_SERVICE_WRITE_SIDE_H_
#define BANK_COMMAND_SERVICE_WRITE_SIDE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/command_handler.h"
#include "command-service/snapshot/snapshot_writer.h"
#include "command-service/store/event_store.h"
#include "common/data_dir_lock.h"

namespace bank::command {

// What --store names: the file log in --data_dir, or a PostgreSQL database
// that any number of replicas share.
struct StoreChoice {
  enum class Kind { kFile, kPostgres };
  Kind kind = Kind::kFile;
  std::string uri;  // kPostgres: libpq's URI
};

// `file`, or a postgresql:// (postgres://) URI libpq can parse;
// INVALID_ARGUMENT otherwise, saying what is wrong without the password.
absl::StatusOr<StoreChoice> ParseStoreFlag(absl::string_view flag);

// Accounts a replica on a shared store keeps in memory: a bound, so that
// its memory stays flat however many accounts the store holds (each loads
// from its events on first use).
inline constexpr size_t kSharedStoreCachedAccounts = 100'000;

struct WriteSideOptions {
  StoreChoice store;
  std::string data_dir;               // the file log's
  std::string store_schema = "bank";  // PostgreSQL's
  size_t cached_accounts = kSharedStoreCachedAccounts;
  uint64_t segment_bytes = 64ull << 20;
  uint64_t command_retention = kMinCommandRetention;
  uint64_t snapshot_every = kDefaultSnapshotEvery;  // the file log's; 0: none
};

// The command side as start-up leaves it: the store, and the handler that
// decides on it. Only this module knows which store it is; the rest of the
// service sees the EventStore seam. Each member needs only those declared
// before it, so destroying it closes them in a safe order: the snapshot
// writer and the handler stop before the store they use closes, and the
// data directory's lock is released last.
struct WriteSide {
  std::unique_ptr<DataDirLock> lock;  // the file log's data directory, held; null otherwise
  std::unique_ptr<EventStore> store;
  std::unique_ptr<CommandHandler> handler;
  std::unique_ptr<SnapshotWriter> snapshots;  // the file log's, unless turned off
  std::string description;                    // for the start-up log line
};

// Opens the store and builds the handler on it. The file log is recovered
// and replayed into the handler's state (see RecoverState), and snapshots
// of it are written as it grows; its data directory is created if missing
// and locked against a second process.
// PostgreSQL is not replayed: the handler loads accounts as commands need
// them. An unreachable database is not an error (the store starts
// UNAVAILABLE and reconnects); a schema that is not this release's is.
absl::StatusOr<WriteSide> OpenWriteSide(const WriteSideOptions& options);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_WRITE_SIDE_H_
