#include "tests/query/failing_sqlite_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdlib>

namespace bank::query::testing {
namespace {

std::atomic<bool> failing{false};
std::atomic<int> refused_count{0};
sqlite3_vfs* base = nullptr;
sqlite3_vfs wrapper;

// Our file: SQLite allocates szOsFile bytes; the base VFS's file follows ours.
struct File {
  sqlite3_file ours;
  sqlite3_file* inner() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

sqlite3_file* Inner(sqlite3_file* file) { return reinterpret_cast<File*>(file)->inner(); }

bool Refuse() {
  if (!failing.load()) return false;
  refused_count.fetch_add(1);
  return true;
}

int Close(sqlite3_file* f) { return Inner(f)->pMethods->xClose(Inner(f)); }
int Read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return Inner(f)->pMethods->xRead(Inner(f), buffer, amount, offset);
}
int Write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (Refuse()) return SQLITE_FULL;
  return Inner(f)->pMethods->xWrite(Inner(f), buffer, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Inner(f)->pMethods->xTruncate(Inner(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Refuse()) return SQLITE_FULL;
  return Inner(f)->pMethods->xSync(Inner(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Inner(f)->pMethods->xFileSize(Inner(f), size);
}
int Lock(sqlite3_file* f, int level) { return Inner(f)->pMethods->xLock(Inner(f), level); }
int Unlock(sqlite3_file* f, int level) { return Inner(f)->pMethods->xUnlock(Inner(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Inner(f)->pMethods->xCheckReservedLock(Inner(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Inner(f)->pMethods->xFileControl(Inner(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Inner(f)->pMethods->xSectorSize(Inner(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Inner(f)->pMethods->xDeviceCharacteristics(Inner(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Inner(f)->pMethods->xShmMap(Inner(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Inner(f)->pMethods->xShmLock(Inner(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Inner(f)->pMethods->xShmBarrier(Inner(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Inner(f)->pMethods->xShmUnmap(Inner(f), delete_flag);
}

// Version 2 (shared memory, which WAL needs) and no memory-mapped I/O, so
// every write goes through Write() above.
const sqlite3_io_methods kMethods = {2,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     nullptr,
                                     nullptr};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* ours = reinterpret_cast<File*>(file);
  const int opened = base->xOpen(base, name, ours->inner(), flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so set it only on success.
  ours->ours.pMethods = opened == SQLITE_OK ? &kMethods : nullptr;
  return opened;
}

}  // namespace

FailingSqliteVfs::FailingSqliteVfs() {
  base = sqlite3_vfs_find(nullptr);
  wrapper = *base;
  wrapper.szOsFile = static_cast<int>(sizeof(File)) + base->szOsFile;
  wrapper.zName = "bank-failing-vfs";
  wrapper.xOpen = Open;
  wrapper.pNext = nullptr;
  failing = false;
  refused_count = 0;
  if (sqlite3_vfs_register(&wrapper, /*makeDflt=*/1) != SQLITE_OK) std::abort();
}

FailingSqliteVfs::~FailingSqliteVfs() {
  sqlite3_vfs_unregister(&wrapper);
  sqlite3_vfs_register(base, /*makeDflt=*/1);
}

void FailingSqliteVfs::SetFailing(bool fail) { failing = fail; }

int FailingSqliteVfs::refused() const { return refused_count.load(); }

}  // namespace bank::query::testing
