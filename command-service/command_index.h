#ifndef BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
#define BANK_COMMAND_SERVICE_COMMAND_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace bank::command {

// Where an accepted command's event is in the log (a transfer's first), and
// the balance it left (the one number of its reply the event does not carry;
// a transfer's reply has two).
struct CommandLocation {
  uint64_t position = 0;
  int64_t balance_after = 0;
  int64_t to_balance_after = 0;  // a transfer's receiving account's; else 0
};

// The accepted commands of the retention window, by command id, for
// idempotency. The index does not keep the ids: the log has them. It keeps a
// 64-bit fingerprint of each id with its event's location (32 bytes, against
// 110+ for the id itself), so a match is only a candidate that the caller
// confirms by reading the event back (AccountBook::FindCommand). An id whose
// fingerprint another id already holds is kept whole, in a side map that
// stays empty in practice (2^-64 a pair). Not thread-safe; movable.
//
// Retention: the contract keeps ids "for at least the last 1,000,000 accepted
// commands". The index keeps the newest `retention` commands that carry an id,
// counted in commands, not positions (a transfer takes two positions). It
// forgets the older ones in sweeps, once it holds twice that many, so it
// holds at most 2 x `retention` commands and a sweep costs O(1) a command.
class CommandIndex {
 public:
  // Keeps the newest `retention` commands, and never fewer than one.
  explicit CommandIndex(uint64_t retention);

  // The fingerprint of a command id: the same in every process and release,
  // since snapshots keep fingerprints (docs/snapshot-format.md). 64-bit
  // FNV-1a with a final avalanche; an id made to clash with another costs
  // only a side-map entry and a second read of the log.
  static uint64_t Fingerprint(absl::string_view id);

  // Remembers a command id the caller knows is new (FindCommand said so) at
  // `location`, whose position is above every one inserted before: under its
  // fingerprint, or whole when another id holds that.
  void Insert(absl::string_view id, CommandLocation location);

  // Start-up's bulk path, for ids not at hand: remembers `location` under
  // `fingerprint`, or returns the location that already holds it (the caller
  // then reads both events, and InsertWhole's the id or reports a duplicate).
  std::optional<CommandLocation> InsertFingerprint(uint64_t fingerprint, CommandLocation location);
  // Keeps `id` whole; false, changing nothing, when it is already kept whole.
  bool InsertWhole(absl::string_view id, CommandLocation location);

  // The location of `id` if it is kept whole: a certain match.
  std::optional<CommandLocation> FindWhole(absl::string_view id) const;

  // The location held under `id`'s fingerprint: the event there has `id` or,
  // very rarely, another id with the same fingerprint.
  std::optional<CommandLocation> FindCandidate(absl::string_view id) const;

  // Makes room for `count` commands at once (start-up knows how many).
  void Reserve(size_t count) { by_fingerprint_.reserve(count); }

  size_t size() const { return by_fingerprint_.size() + whole_.size(); }

 private:
  void Inserted();

  uint64_t retention_;
  absl::flat_hash_map<uint64_t, CommandLocation> by_fingerprint_;
  absl::flat_hash_map<std::string, CommandLocation> whole_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
