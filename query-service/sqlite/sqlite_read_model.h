#ifndef BANK_QUERY_SERVICE_SQLITE_SQLITE_READ_MODEL_H_
#define BANK_QUERY_SERVICE_SQLITE_SQLITE_READ_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bank/v1/event.pb.h"
#include "query-service/read_model.h"
#include "query-service/sqlite/sqlite_db.h"
#include "query-service/sqlite/wal_checkpointer.h"

namespace bank::query {

// The read model in SQLite: accounts, their transaction history and the
// checkpoint (the last applied log position) in one database in WAL mode, plus an
// in-memory copy of every account's state so that applying an event needs no
// SELECT and GetBalance/ListAccounts need no SQL at all.
//
// Apply() is a fold: each batch changes accounts, history and checkpoint in
// one SQLite transaction, so the projection is always exactly the log's prefix
// up to the checkpoint, across crashes. Events at or below the checkpoint are
// skipped, which makes re-delivery harmless.
//
// Thread safety: every method may be called from any thread. Apply() calls are
// serialised internally (one writer connection); reads use a small pool of
// reader connections and never wait for a commit (WAL snapshots). Readers see
// an Apply's effects only after its commit.
class SqliteReadModel final : public ReadModel {
 public:
  // The database file inside a data directory.
  static constexpr absl::string_view kFileName = "projection.sqlite3";

  // Opens or creates `dir`/projection.sqlite3 (the directory must exist) and
  // loads the checkpoint and the accounts. Errors: DATA_LOSS for a corrupt
  // database, FAILED_PRECONDITION for a schema newer than this build,
  // UNAVAILABLE / RESOURCE_EXHAUSTED for I/O trouble.
  static absl::StatusOr<std::unique_ptr<SqliteReadModel>> Open(const std::string& dir);

  SqliteReadModel(const SqliteReadModel&) = delete;
  SqliteReadModel& operator=(const SqliteReadModel&) = delete;
  ~SqliteReadModel() override;

  // ReadModel. Errors beyond its own: SQLite's trouble (UNAVAILABLE,
  // RESOURCE_EXHAUSTED for a full disk).
  absl::Status Apply(absl::Span<const bank::v1::Event> events) override
      ABSL_LOCKS_EXCLUDED(writer_mu_, mu_);
  uint64_t applied_position() const override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<AccountView> GetAccount(absl::string_view account_id) const override
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<AccountView> ListAccounts(absl::string_view after, size_t limit) const override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<TransactionRecord>> GetHistory(absl::string_view account_id,
                                                            uint64_t after_version,
                                                            size_t limit) const override
      ABSL_LOCKS_EXCLUDED(readers_mu_);

 private:
  struct Writer;
  struct Reader;

  SqliteReadModel(std::string path, std::unique_ptr<Writer> writer,
                  std::unique_ptr<WalCheckpointer> checkpointer);

  // Folds `events` (all above the checkpoint) over the published state into
  // `touched` (the new state of every account they touch) and the balance
  // after each event. Changes nothing else.
  absl::Status Fold(absl::Span<const bank::v1::Event> events,
                    absl::btree_map<std::string, AccountState>& touched,
                    std::vector<int64_t>& balances_after) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Writes one batch, the accounts it touched and the checkpoint in one
  // SQLite transaction; rolls back on error.
  absl::Status Persist(absl::Span<const bank::v1::Event> events,
                       const std::vector<int64_t>& balances_after,
                       const absl::btree_map<std::string, AccountState>& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu_);

  absl::StatusOr<std::unique_ptr<Reader>> AcquireReader() const ABSL_LOCKS_EXCLUDED(readers_mu_);
  void ReleaseReader(std::unique_ptr<Reader> reader) const ABSL_LOCKS_EXCLUDED(readers_mu_);

  const std::string path_;

  // Serialises Apply(); owns the writer connection and its statements.
  absl::Mutex writer_mu_;
  std::unique_ptr<Writer> writer_ ABSL_PT_GUARDED_BY(writer_mu_);
  // Checkpoints the writer's WAL off the commit path; destroyed before it.
  std::unique_ptr<WalCheckpointer> checkpointer_;

  // The published state: changed only by Apply(), after its commit.
  mutable absl::Mutex mu_;
  absl::btree_map<std::string, AccountState> accounts_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;

  // Idle reader connections, opened on demand and kept up to a small bound.
  mutable absl::Mutex readers_mu_;
  mutable std::vector<std::unique_ptr<Reader>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_SQLITE_SQLITE_READ_MODEL_H_
