#ifndef BANK_COMMON_DATA_DIR_LOCK_H_
#define BANK_COMMON_DATA_DIR_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace bank {

// Exclusive ownership of a data directory for the life of the process: an
// flock(LOCK_EX) on DIR/LOCK. The kernel drops the lock when the process dies,
// so a crash never leaves a stale lock behind.
class DataDirLock {
 public:
  // Creates `dir` (and parents) if missing and takes the lock. Fails with
  // FAILED_PRECONDITION when another live process holds it, and with the
  // errno's status when the directory cannot be created or opened.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& dir);

  // For a reader that must not write to `dir` (bank-log): takes a shared
  // flock(LOCK_SH) on DIR/LOCK, opened read-only, and creates nothing. While
  // it is held, no process can Acquire() the directory; readers can share it.
  // With no LOCK file no process has ever held the directory, so there is
  // nothing to lock and it succeeds. NOT_FOUND when `dir` does not exist,
  // FAILED_PRECONDITION when a live process holds it with Acquire(), the
  // errno's status when LOCK cannot be opened.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> AcquireShared(const std::string& dir);

  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;  // -1 for a shared lock on a directory without LOCK
};

}  // namespace bank

#endif  // BANK_COMMON_DATA_DIR_LOCK_H_
