#ifndef BANK_QUERY_SERVICE_SQLITE_SQLITE_DB_H_
#define BANK_QUERY_SERVICE_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::query {

// Thin RAII wrappers over libsqlite3 that speak absl::Status. A connection and
// its statements belong to one thread at a time (SQLITE_OPEN_NOMUTEX); the
// owner serialises access. Error codes: SQLITE_FULL -> RESOURCE_EXHAUSTED,
// SQLITE_CORRUPT/NOTADB -> DATA_LOSS, SQLITE_BUSY/LOCKED -> UNAVAILABLE,
// anything else -> INTERNAL; messages carry SQLite's own text.

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based. Text is bound without a copy (SQLITE_STATIC):
  // it must stay alive until the statement is Reset().
  void BindInt64(int index, int64_t value);
  void BindText(int index, absl::string_view value);

  // true: a row is ready; false: done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows, then resets it.
  absl::Status Run();
  // Makes the statement reusable and drops the bindings.
  void Reset();

  int64_t ColumnInt64(int column) const;
  // Valid until the next Step() or Reset().
  absl::string_view ColumnText(int column) const;

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (creating when missing) the database file at `path`.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return no rows.
  absl::Status Exec(const std::string& sql);
  // The statement is finalized by its destructor, which must run before this
  // connection's.
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);

  // Calls `hook(arg, pages)` after each commit with the WAL's size in pages,
  // in place of SQLite's own checkpoint inside the commit (nullptr: none).
  using WalHook = void (*)(void* arg, int pages);
  void SetWalHook(WalHook hook, void* arg);
  // Copies the WAL into the database. kPassive copies what it can without
  // waiting for anyone; kRestart waits (busy_timeout) for other writers and
  // checkpoints, then for readers, so that the next commit starts the WAL
  // over from its beginning.
  enum class CheckpointMode { kPassive, kRestart };
  absl::Status Checkpoint(CheckpointMode mode);

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  WalHook wal_hook_ = nullptr;
  void* wal_hook_arg_ = nullptr;
};

// The status for SQLite result `code` during `operation` on `db` (may be null).
absl::Status SqliteError(sqlite3* db, int code, absl::string_view operation);

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_SQLITE_SQLITE_DB_H_
