#include "command-service/snapshot/snapshot_format.h"

#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "command-service/store/file/log_format.h"
#include "common/crc32c.h"
#include "common/huge_pages.h"
#include "common/little_endian.h"
#include "common/varint.h"

namespace bank::command {
namespace {

constexpr size_t kAccountFixedSize = 1 + 8 + 8;  // length, balance, version
constexpr size_t kV1CommandSize = 4 * 8;
constexpr size_t kMinCommandSize = 4;  // four one-byte varints

uint32_t Checksum(absl::string_view bytes) {
  return Crc32c(std::string_view(bytes.data(), bytes.size()));
}

// Gathers a snapshot's bytes into pieces for a sink, and the CRC-32C of all
// of them for the footer. After the sink's first error it only keeps that.
class PieceWriter {
 public:
  explicit PieceWriter(SnapshotSink sink) : sink_(sink) {
    buffer_.reserve(2 * kSnapshotPieceBytes);
  }

  template <typename T>
  void Put(T value) {
    PutLittleEndian<T>(&buffer_, value);
  }
  void PutVarint(uint64_t value) { bank::PutVarint(&buffer_, value); }
  void Append(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }

  // Between records: hands the buffer over once it holds a piece.
  void PieceDone() {
    if (buffer_.size() < kSnapshotPieceBytes) return;
    Cover();
    Hand();
  }

  // Hands over the rest, with the footer.
  absl::Status Finish() {
    Cover();
    PutLittleEndian<uint32_t>(&buffer_, crc_);
    Hand();
    return status_;
  }

 private:
  void Cover() { crc_ = Crc32cExtend(crc_, std::string_view(buffer_.data(), buffer_.size())); }
  void Hand() {
    if (status_.ok()) status_ = sink_(buffer_);
    buffer_.clear();
  }

  SnapshotSink sink_;
  std::string buffer_;
  uint32_t crc_ = 0;
  absl::Status status_;
};

// Reads a snapshot's body front to back, never past its end.
class BodyReader {
 public:
  explicit BodyReader(absl::string_view body) : rest_(body) {}

  template <typename T>
  bool Read(T* value) {
    if (rest_.size() < sizeof(T)) return false;
    *value = GetLittleEndian<T>(rest_.data());
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  bool ReadVarint(uint64_t* value) { return GetVarint(&rest_, value); }
  bool Read(size_t size, absl::string_view* bytes) {
    if (rest_.size() < size) return false;
    *bytes = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  size_t left() const { return rest_.size(); }

 private:
  absl::string_view rest_;
};

absl::Status Truncated(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("the snapshot ends inside ", what));
}

// A record place no log could have given a snapshot at `position`: one in a
// segment starting after it, or inside a segment's header; or an offset
// without a segment.
absl::Status CheckRecordPlace(const log::RecordPlace& place, uint64_t position) {
  const bool none = place.segment_base == 0 && place.offset == 0;
  if (none || (place.segment_base != 0 && place.segment_base <= position &&
               place.offset >= log::kSegmentHeaderSize)) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat(
      "the snapshot at position ", position, " places its last record at offset ", place.offset,
      " of the segment at ", place.segment_base, ", where no log could hold it"));
}

absl::Status DecodeAccounts(BodyReader& body, uint64_t count, uint64_t position,
                            AccountBook& book) {
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t id_size = 0;
    absl::string_view id;
    AccountState state;
    if (!body.Read(&id_size) || !body.Read(id_size, &id) || !body.Read(&state.balance) ||
        !body.Read(&state.version)) {
      return Truncated(absl::StrCat("account ", i));
    }
    if (state.version > position) {
      return absl::DataLossError(absl::StrCat("account ", id, " is at version ", state.version,
                                              ", past the snapshot's position ", position));
    }
    if (absl::Status restored = book.RestoreAccount(id, state); !restored.ok()) return restored;
  }
  return absl::OkStatus();
}

// Version 1's command: four fixed 8-byte fields.
bool ReadV1Command(BodyReader& body, FingerprintedCommand* command) {
  CommandLocation& location = command->location;
  return body.Read(&command->fingerprint) && body.Read(&location.position) &&
         body.Read(&location.balance_after) && body.Read(&location.to_balance_after);
}

// Version 2's: four varints, the fingerprint as its distance from the one
// before (`*fingerprint`, advanced). A distance past 2^64 wraps to a smaller
// fingerprint, which RestoreNotedCommands refuses as out of order; a balance
// past int64 reads as negative, refused below.
bool ReadCommand(BodyReader& body, uint64_t* fingerprint, FingerprintedCommand* command) {
  uint64_t distance = 0, balance_after = 0, to_balance_after = 0;
  CommandLocation& location = command->location;
  if (!body.ReadVarint(&distance) || !body.ReadVarint(&location.position) ||
      !body.ReadVarint(&balance_after) || !body.ReadVarint(&to_balance_after)) {
    return false;
  }
  *fingerprint += distance;
  command->fingerprint = *fingerprint;
  location.balance_after = static_cast<int64_t>(balance_after);
  location.to_balance_after = static_cast<int64_t>(to_balance_after);
  return true;
}

absl::Status DecodeCommands(BodyReader& body, uint32_t version, uint64_t count, uint64_t position,
                            AccountBook& book) {
  std::vector<FingerprintedCommand> commands;
  ReserveOnHugePages(commands, count);  // filled once, not zeroed first
  uint64_t fingerprint = 0;
  for (uint64_t i = 0; i < count; ++i) {
    FingerprintedCommand command;
    const CommandLocation& location = command.location;
    if (version == 1 ? !ReadV1Command(body, &command)
                     : !ReadCommand(body, &fingerprint, &command)) {
      return absl::DataLossError(
          absl::StrCat("the snapshot ends inside command ", i, ", or it is malformed"));
    }
    if (location.position == 0 || location.position > position || location.balance_after < 0 ||
        location.to_balance_after < 0) {
      return absl::DataLossError(absl::StrCat(
          "command ", i, " at position ", location.position, " (balances ", location.balance_after,
          ", ", location.to_balance_after, ") cannot be in a snapshot at position ", position));
    }
    commands.push_back(command);
  }
  return book.RestoreNotedCommands(std::move(commands));
}

// A snapshot of `book`'s accounts and of `commands`, the book's
// NotedByFingerprint() (taken or copied).
absl::Status Encode(const AccountBook& book, const std::vector<FingerprintedCommand>& commands,
                    uint64_t position, log::RecordPlace last_record, SnapshotSink sink) {
  PieceWriter out(sink);
  out.Append(absl::string_view(kSnapshotMagic, sizeof(kSnapshotMagic)));
  out.Put<uint32_t>(kSnapshotFormatVersion);
  out.Put<uint32_t>(0);  // flags
  out.Put<uint64_t>(position);
  out.Put<uint64_t>(book.command_retention());
  out.Put<uint64_t>(book.account_count());
  out.Put<uint64_t>(commands.size());
  out.Put<uint64_t>(last_record.segment_base);
  out.Put<uint64_t>(last_record.offset);
  book.ForEachAccount([&out](absl::string_view id, const AccountState& state) {
    out.Put<uint8_t>(static_cast<uint8_t>(id.size()));
    out.Append(id);
    out.Put<int64_t>(state.balance);
    out.Put<uint64_t>(state.version);
    out.PieceDone();
  });
  // Sorted, a million fingerprints lie about 2^44 apart: seven bytes as
  // distances, not eight; the positions and balances take three or four.
  // Less to write is less for the log's fdatasyncs to flush beside it.
  uint64_t fingerprint = 0;
  for (const FingerprintedCommand& command : commands) {
    out.PutVarint(command.fingerprint - fingerprint);
    fingerprint = command.fingerprint;
    out.PutVarint(command.location.position);
    out.PutVarint(static_cast<uint64_t>(command.location.balance_after));
    out.PutVarint(static_cast<uint64_t>(command.location.to_balance_after));
    out.PieceDone();
  }
  return out.Finish();
}

}  // namespace

absl::Status EncodeSnapshot(AccountBook book, uint64_t position, log::RecordPlace last_record,
                            SnapshotSink sink) {
  // Only the ids are taken; the accounts are encoded where they are.
  const std::vector<FingerprintedCommand> commands = std::move(book).TakeNotedByFingerprint();
  return Encode(book, commands, position, last_record, sink);
}

std::string EncodeSnapshot(const AccountBook& book, uint64_t position,
                           log::RecordPlace last_record) {
  std::string bytes;
  Encode(book, book.NotedByFingerprint(), position, last_record, [&bytes](absl::string_view piece) {
    bytes.append(piece.data(), piece.size());
    return absl::OkStatus();
  }).IgnoreError();  // this sink never fails
  return bytes;
}

absl::StatusOr<Snapshot> DecodeSnapshot(absl::string_view bytes, uint64_t command_retention) {
  if (bytes.size() < kSnapshotV1HeaderSize + kSnapshotFooterSize) {
    return absl::DataLossError(
        absl::StrCat("the snapshot is ", bytes.size(), " bytes, shorter than a header and footer"));
  }
  if (std::memcmp(bytes.data(), kSnapshotMagic, sizeof(kSnapshotMagic)) != 0) {
    return absl::DataLossError("not a snapshot (bad magic)");
  }
  // Every format version ends in this checksum, so that damage is told from
  // a newer release's snapshot.
  const absl::string_view covered = bytes.substr(0, bytes.size() - kSnapshotFooterSize);
  if (GetLittleEndian<uint32_t>(bytes.data() + covered.size()) != Checksum(covered)) {
    return absl::DataLossError("snapshot checksum mismatch (damaged or cut short)");
  }
  BodyReader header(covered.substr(sizeof(kSnapshotMagic)));
  uint32_t version = 0, flags = 0;
  uint64_t position = 0, retention = 0, account_count = 0, command_count = 0;
  header.Read(&version);
  header.Read(&flags);
  if ((version != 1 && version != kSnapshotFormatVersion) || flags != 0) {
    return absl::FailedPreconditionError(absl::StrCat("snapshot format version ", version,
                                                      " flags ", flags, ", from a newer release"));
  }
  header.Read(&position);
  header.Read(&retention);
  header.Read(&account_count);
  header.Read(&command_count);
  log::RecordPlace last_record;
  if (version == kSnapshotFormatVersion &&
      (!header.Read(&last_record.segment_base) || !header.Read(&last_record.offset))) {
    return Truncated("its header");
  }
  if (absl::Status place = CheckRecordPlace(last_record, position); !place.ok()) return place;
  if (command_count > retention) {
    return absl::DataLossError(absl::StrCat("the snapshot holds ", command_count,
                                            " command ids, more than the ", retention,
                                            " it says it keeps"));
  }
  if (retention < command_retention) {
    return absl::FailedPreconditionError(
        absl::StrCat("the snapshot keeps ", retention, " command ids, fewer than the ",
                     command_retention, " --command_id_retention asks for"));
  }
  BodyReader body(covered.substr(version == kSnapshotFormatVersion ? kSnapshotHeaderSize
                                                                   : kSnapshotV1HeaderSize));
  // Checked before any work, so that a huge count fails at once.
  if (account_count > body.left() / kAccountFixedSize ||
      command_count > body.left() / (version == 1 ? kV1CommandSize : kMinCommandSize)) {
    return Truncated("its accounts and commands");
  }
  Snapshot snapshot{
      .position = position, .last_record = last_record, .book = AccountBook(command_retention)};
  if (absl::Status accounts = DecodeAccounts(body, account_count, position, snapshot.book);
      !accounts.ok()) {
    return accounts;
  }
  if (absl::Status commands = DecodeCommands(body, version, command_count, position, snapshot.book);
      !commands.ok()) {
    return commands;
  }
  if (body.left() != 0) {
    return absl::DataLossError(
        absl::StrCat("the snapshot has ", body.left(), " bytes after its last command"));
  }
  return snapshot;
}

}  // namespace bank::command
