#ifndef BANK_TESTS_QUERY_FAILING_SQLITE_VFS_H_
#define BANK_TESTS_QUERY_FAILING_SQLITE_VFS_H_

namespace bank::query::testing {

// The fault seam below the projection: a SQLite VFS that wraps the default one
// and, while failing, answers every write and sync the way a full disk does
// (SQLITE_FULL), so a test can fail exactly the commits it wants, on whichever
// thread applies them, and then let them succeed again. A real full file
// system is tested too (tests/e2e/full_disk_test.cc); this reaches the paths
// a tmpfs cannot aim at.
//
// Registered as the default VFS for its lifetime: connections opened after
// its construction use it; destroy it only after closing them. One at a time.
class FailingSqliteVfs {
 public:
  FailingSqliteVfs();
  ~FailingSqliteVfs();
  FailingSqliteVfs(const FailingSqliteVfs&) = delete;
  FailingSqliteVfs& operator=(const FailingSqliteVfs&) = delete;

  // Thread-safe: SQLite's threads read it on every write.
  void SetFailing(bool failing);
  // Writes and syncs refused since construction.
  int refused() const;
};

}  // namespace bank::query::testing

#endif  // BANK_TESTS_QUERY_FAILING_SQLITE_VFS_H_
