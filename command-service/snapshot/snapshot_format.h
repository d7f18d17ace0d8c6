#ifndef BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FORMAT_H_
#define BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/account_book.h"
#include "command-service/store/file/segment.h"

namespace bank::command {

// A snapshot file's bytes (docs/snapshot-format.md): a header, every account,
// the command ids of the retention window (by fingerprint, as start-up loads
// them into the index), and a CRC-32C of all of it. Little-endian.
//
//   header  magic "BANKSNAP" | format version u32 | flags u32 (0)
//           | position u64 | command retention u64
//           | account count u64 | command count u64
//           | segment base u64 | record offset u64   (version 2)
//   account id length u8 | id | balance i64 | version u64
//   command fingerprint distance varint | position varint
//           | balance after varint | receiving balance after varint
//           (ByFingerprint order; a distance from the fingerprint before)
//           (version 1: fingerprint u64 | position u64 | balance after i64
//           | receiving balance after i64)
//   footer  CRC-32C u32 of every byte before it
inline constexpr char kSnapshotMagic[8] = {'B', 'A', 'N', 'K', 'S', 'N', 'A', 'P'};
inline constexpr uint32_t kSnapshotFormatVersion = 2;
inline constexpr size_t kSnapshotHeaderSize = 64;
// Version 1, which this release still reads: no record place.
inline constexpr size_t kSnapshotV1HeaderSize = 48;
inline constexpr size_t kSnapshotFooterSize = 4;

// The command side's state after the event at `position`, the last of a
// group: what start-up would have after replaying the log up to there. And
// where the log's record holding that event starts, so that start-up reads
// the log from there (none from a version 1 snapshot, or when the writer did
// not say).
struct Snapshot {
  uint64_t position = 0;
  log::RecordPlace last_record;
  AccountBook book;
};

// Takes an encoded snapshot's bytes, in order, a piece at a time.
using SnapshotSink = absl::FunctionRef<absl::Status(absl::string_view piece)>;

// Encodes a snapshot of `book`, which has replayed every event up to
// `position` and no further (and not yet finished replaying), into `sink` in
// pieces of about kSnapshotPieceBytes: the encoding never holds the whole
// file (at 1M accounts, tens of MB). Consumes the book, so that its command ids
// are taken rather than copied. Returns the sink's first error.
inline constexpr size_t kSnapshotPieceBytes = 1 << 20;
absl::Status EncodeSnapshot(AccountBook book, uint64_t position, log::RecordPlace last_record,
                            SnapshotSink sink);

// The same, whole, for tests and fuzzing; `book` is left as it was.
std::string EncodeSnapshot(const AccountBook& book, uint64_t position,
                           log::RecordPlace last_record = {});

// The snapshot in `bytes`, in a new book that keeps `command_retention`
// command ids, ready to replay the events after it. DATA_LOSS when the bytes
// are damaged or cut short, or hold a state no log could have left;
// FAILED_PRECONDITION for a format version this release does not read, or a
// snapshot written with a smaller command retention (it may lack ids the
// retention promises).
absl::StatusOr<Snapshot> DecodeSnapshot(absl::string_view bytes, uint64_t command_retention);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_SNAPSHOT_SNAPSHOT_FORMAT_H_
