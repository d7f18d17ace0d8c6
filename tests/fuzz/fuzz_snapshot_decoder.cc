// libFuzzer target: the snapshot decoder (snapshot/snapshot_format.h) on
// arbitrary bytes, as they are and resealed with a correct CRC-32C footer so
// that the header and body are parsed too. A refusal is DATA_LOSS or
// FAILED_PRECONDITION; a decoded snapshot agrees with its header, holds only
// a state a log could leave, and re-encodes to a snapshot that decodes to the
// same book and position (to the input's own bytes when nothing was dropped).
// Aborts on any broken property.

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/account_book.h"
#include "command-service/snapshot/snapshot_format.h"
#include "command-service/store/file/log_format.h"
#include "common/crc32c.h"
#include "common/little_endian.h"
#include "tests/fuzz/fuzz_check.h"

namespace bank::command {
namespace {

using ::bank::fuzz::Check;

using AccountRow = std::tuple<std::string, int64_t, uint64_t>;
using CommandRow = std::tuple<uint64_t, uint64_t, int64_t, int64_t>;

// In ForEachAccount's order, which is the order they were restored in.
std::vector<AccountRow> Accounts(const AccountBook& book) {
  std::vector<AccountRow> rows;
  book.ForEachAccount([&](absl::string_view id, const AccountState& state) {
    rows.emplace_back(std::string(id), state.balance, state.version);
  });
  return rows;
}

std::vector<CommandRow> NotedCommands(const AccountBook& book) {
  std::vector<CommandRow> rows;
  for (const FingerprintedCommand& command : book.NotedByFingerprint()) {
    rows.emplace_back(command.fingerprint, command.location.position,
                      command.location.balance_after, command.location.to_balance_after);
  }
  return rows;
}

// The command retention to decode with, from the input's last byte (the
// footer's for the bytes as they are; dropped by the resealing): with its top
// bit, the header's own retention, so that a whole snapshot is kept;
// otherwise 1 to 8, often below the header's and the command count, so that
// the ring drops ids.
uint64_t RetentionFor(absl::string_view input) {
  if (input.empty()) return 1;
  const uint8_t selector = static_cast<uint8_t>(input.back());
  if ((selector & 0x80) != 0 && input.size() >= 32) {
    const uint64_t header = GetLittleEndian<uint64_t>(input.data() + 24);
    return header == 0 ? 1 : header;
  }
  return 1 + (selector & 0x07);
}

// What a snapshot that decodes must hold: its header's counts and position,
// accounts and commands no log could have left refused, the newest ids kept.
void CheckDecoded(absl::string_view bytes, const Snapshot& snapshot, uint64_t retention) {
  Check(bytes.size() >= kSnapshotV1HeaderSize + kSnapshotFooterSize, "a short snapshot fails");
  const uint32_t version = GetLittleEndian<uint32_t>(bytes.data() + 8);
  const uint64_t header_retention = GetLittleEndian<uint64_t>(bytes.data() + 24);
  const uint64_t account_count = GetLittleEndian<uint64_t>(bytes.data() + 32);
  const uint64_t command_count = GetLittleEndian<uint64_t>(bytes.data() + 40);
  Check((version == 1 || version == kSnapshotFormatVersion) &&
            GetLittleEndian<uint32_t>(bytes.data() + 12) == 0,
        "only versions 1 and 2 with no flags decode");
  Check(snapshot.position == GetLittleEndian<uint64_t>(bytes.data() + 16),
        "position is bytes 16..24");
  const log::RecordPlace& place = snapshot.last_record;
  if (version == 1) {
    Check(place.segment_base == 0 && place.offset == 0, "version 1 names no record");
  } else {
    Check(bytes.size() >= kSnapshotHeaderSize + kSnapshotFooterSize, "a short snapshot fails");
    Check(place.segment_base == GetLittleEndian<uint64_t>(bytes.data() + 48) &&
              place.offset == GetLittleEndian<uint64_t>(bytes.data() + 56),
          "the record place is bytes 48..64");
  }
  Check((place.segment_base == 0 && place.offset == 0) ||
            (place.segment_base != 0 && place.segment_base <= snapshot.position &&
             place.offset >= log::kSegmentHeaderSize),
        "a record place is none, or one a log could have given");
  Check(header_retention >= retention, "a smaller header retention is refused");
  Check(snapshot.book.command_retention() == retention, "the book keeps the retention asked for");
  Check(snapshot.book.account_count() == account_count, "every account of the header restored");
  const std::vector<AccountRow> accounts = Accounts(snapshot.book);
  Check(accounts.size() == account_count, "ForEachAccount visits every account");
  for (const auto& [id, balance, version] : accounts) {
    Check(balance >= 0 && version >= 1 && version <= snapshot.position,
          "an account's balance and version are ones a log leaves");
  }
  const std::vector<CommandRow> commands = NotedCommands(snapshot.book);
  Check(commands.size() == (command_count < retention ? command_count : retention),
        "the newest min(count, retention) command ids are kept");
  for (size_t i = 0; i < commands.size(); ++i) {
    const auto& [fingerprint, position, balance_after, to_balance_after] = commands[i];
    Check(position > 0 && position <= snapshot.position,
          "a command id's position is at or before the snapshot's");
    Check(balance_after >= 0 && to_balance_after >= 0, "a command's balances are not negative");
    Check(i == 0 || std::tie(std::get<0>(commands[i - 1]), std::get<1>(commands[i - 1])) <
                        std::tie(fingerprint, position),
          "command ids are kept by fingerprint, then position");
  }
  if (version == 1 && command_count <= retention) {
    // Kept whole: the snapshot's own command records, in their order (a
    // version 2 snapshot kept whole re-encodes to its own bytes instead:
    // CheckReencoded).
    const char* first = bytes.data() + bytes.size() - kSnapshotFooterSize - 32 * command_count;
    for (size_t i = 0; i < commands.size(); ++i) {
      const char* record = first + 32 * i;
      Check(commands[i] == CommandRow(GetLittleEndian<uint64_t>(record),
                                      GetLittleEndian<uint64_t>(record + 8),
                                      GetLittleEndian<int64_t>(record + 16),
                                      GetLittleEndian<int64_t>(record + 24)),
            "a snapshot's command ids are kept as written");
    }
  }
}

// Encode(decoded) decodes to the same book and position, and is a fixed
// point; it is the input itself when the decoder kept every command id at the
// header's retention.
void CheckReencoded(absl::string_view bytes, const Snapshot& snapshot, uint64_t retention) {
  const std::string again = EncodeSnapshot(snapshot.book, snapshot.position, snapshot.last_record);
  absl::StatusOr<Snapshot> redecoded = DecodeSnapshot(again, retention);
  Check(redecoded.ok(), "a re-encoded snapshot decodes");
  Check(redecoded->position == snapshot.position, "re-encoding keeps the position");
  Check(redecoded->last_record.segment_base == snapshot.last_record.segment_base &&
            redecoded->last_record.offset == snapshot.last_record.offset,
        "re-encoding keeps the record place");
  Check(Accounts(redecoded->book) == Accounts(snapshot.book), "re-encoding keeps the accounts");
  Check(NotedCommands(redecoded->book) == NotedCommands(snapshot.book),
        "re-encoding keeps the noted commands");
  Check(EncodeSnapshot(redecoded->book, redecoded->position, redecoded->last_record) == again,
        "encoding a decoded encoding gives the same bytes");
  const uint32_t version = GetLittleEndian<uint32_t>(bytes.data() + 8);
  const uint64_t header_retention = GetLittleEndian<uint64_t>(bytes.data() + 24);
  const uint64_t command_count = GetLittleEndian<uint64_t>(bytes.data() + 40);
  if (version == kSnapshotFormatVersion && header_retention == retention &&
      command_count <= retention) {
    Check(again == bytes, "a snapshot kept whole re-encodes to its own bytes");
  }
}

void CheckDecode(absl::string_view bytes, uint64_t retention) {
  absl::StatusOr<Snapshot> snapshot = DecodeSnapshot(bytes, retention);
  if (!snapshot.ok()) {
    Check(snapshot.status().code() == absl::StatusCode::kDataLoss ||
              snapshot.status().code() == absl::StatusCode::kFailedPrecondition,
          "a refused snapshot is DATA_LOSS or FAILED_PRECONDITION");
    return;
  }
  CheckDecoded(bytes, *snapshot, retention);
  CheckReencoded(bytes, *snapshot, retention);
}

// `input` with its last 4 bytes replaced by the CRC-32C of the rest: damage
// the footer cannot see.
std::string Resealed(absl::string_view input) {
  std::string bytes(input.substr(0, input.size() - kSnapshotFooterSize));
  PutLittleEndian<uint32_t>(&bytes, Crc32c(bytes));
  return bytes;
}

}  // namespace
}  // namespace bank::command

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const uint64_t retention = bank::command::RetentionFor(input);
  bank::command::CheckDecode(input, retention);
  if (size >= bank::command::kSnapshotFooterSize) {
    bank::command::CheckDecode(bank::command::Resealed(input), retention);
  }
  return 0;
}
