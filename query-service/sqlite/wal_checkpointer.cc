#include "query-service/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace bank::query {

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                        SqliteDb& writer) {
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  // A connection only learns that the database is in WAL mode when it first
  // reads it; until then a checkpoint does nothing.
  if (absl::Status read = (*db)->Exec("SELECT count(*) FROM sqlite_master"); !read.ok()) {
    return read;
  }
  auto checkpointer = std::unique_ptr<WalCheckpointer>(new WalCheckpointer(writer, *std::move(db)));
  writer.SetWalHook(
      +[](void* self, int pages) { static_cast<WalCheckpointer*>(self)->OnCommit(pages); },
      checkpointer.get());
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(SqliteDb& writer, std::unique_ptr<SqliteDb> db)
    : writer_(writer), db_(std::move(db)), thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  writer_.SetWalHook(nullptr, nullptr);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void WalCheckpointer::OnCommit(int wal_pages) {
  absl::MutexLock lock(&mu_);
  // A smaller WAL than at the last checkpoint: SQLite started it over.
  if (wal_pages < checkpointed_pages_) checkpointed_pages_ = 0;
  wal_pages_ = wal_pages;
  if (wal_pages < kWriterCheckpointPages) return;
  // SQLite refuses a second checkpoint while one runs rather than wait.
  mu_.Await(absl::Condition(
      +[](bool* running) { return !*running; }, &checkpoint_running_));
  checkpoint_running_ = true;
  mu_.Unlock();
  absl::Status done = writer_.Checkpoint(SqliteDb::CheckpointMode::kRestart);
  mu_.Lock();
  checkpoint_running_ = false;
  checkpointed_pages_ = 0;
  if (!done.ok()) spdlog::warn("WAL checkpoint after a commit failed: {}", done.ToString());
}

void WalCheckpointer::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WalCheckpointer::HasWork));
      if (stopping_) return;
      checkpointed_pages_ = wal_pages_;
      checkpoint_running_ = true;
    }
    absl::Status done = db_->Checkpoint(SqliteDb::CheckpointMode::kPassive);
    absl::MutexLock lock(&mu_);
    checkpoint_running_ = false;
    // Not fatal, and expected now and then (BUSY while the writer starts the
    // WAL over): the WAL keeps every commit, and the next attempt catches up.
    if (!done.ok()) spdlog::debug("background WAL checkpoint failed: {}", done.ToString());
  }
}

}  // namespace bank::query
