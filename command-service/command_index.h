#ifndef BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
#define BANK_COMMAND_SERVICE_COMMAND_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "common/huge_pages.h"

namespace bank::command {

// Where an accepted command's event is in the log (a transfer's first), and
// the balance it left (the one number of its reply the event does not carry;
// a transfer's reply has two).
struct CommandLocation {
  uint64_t position = 0;
  int64_t balance_after = 0;
  int64_t to_balance_after = 0;  // a transfer's receiving account's; else 0
};

// A command id's fingerprint (CommandIndex::Fingerprint) and where its
// command is: what start-up notes of each command, and what a snapshot keeps.
struct FingerprintedCommand {
  uint64_t fingerprint = 0;
  CommandLocation location;
};

// By fingerprint, then position: the order of a loaded index and of a
// snapshot's commands.
inline bool ByFingerprint(const FingerprintedCommand& a, const FingerprintedCommand& b) {
  return a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint
                                        : a.location.position < b.location.position;
}

// The position of the oldest of the newest `count` commands among
// `positions` (which holds more than `count`, all distinct): everything
// older is past the retention window.
uint64_t OldestOfNewest(std::vector<uint64_t> positions, size_t count);

// The most command ids an index can keep: it numbers what it holds (at most
// twice this) in 32 bits.
inline constexpr uint64_t kMaxCommandRetention = uint64_t{1} << 31;

// The accepted commands of the retention window, by command id, for
// idempotency. The index does not keep the ids: the log has them. It keeps a
// 64-bit fingerprint of each id with its event's location (32 bytes, against
// 110+ for the id itself), so a match is only a candidate that the caller
// confirms by reading the event back (AccountBook::FindCommand). Not
// thread-safe; movable.
//
// Two parts: what start-up loads at once, a vector sorted by fingerprint and
// searched by bisection (no hashing, so a snapshot's million ids load in
// milliseconds), and what commands insert later, in position order in a
// deque, found through a hash set of 8-byte slots (the entry's number and 32
// bits of its fingerprint), like AccountTable's. A map from fingerprint to
// location would take 33 bytes a slot, and at 1M commands it has 2M slots:
// 69 MB against 51. An id inserted whose fingerprint the index already holds
// is kept whole, in a side map that stays empty in practice (2^-64 a pair).
//
// Retention: the contract keeps ids "for at least the last 1,000,000 accepted
// commands". The index keeps the newest `retention` commands that carry an id,
// counted in commands, not positions (a transfer takes two positions). It
// forgets the older ones in sweeps, once it holds twice that many, so it
// holds at most 2 x `retention` commands and a sweep costs O(1) a command.
class CommandIndex {
 public:
  // Keeps the newest `retention` commands: at least one, at most
  // kMaxCommandRetention.
  explicit CommandIndex(uint64_t retention);

  // The fingerprint of a command id: the same in every process and release,
  // since snapshots keep fingerprints (docs/snapshot-format.md). 64-bit
  // FNV-1a with a final avalanche; an id made to clash with another costs
  // only a side-map entry and a second read of the log.
  static uint64_t Fingerprint(absl::string_view id);

  // Start-up's bulk path, on an empty index: holds `commands`, sorted
  // ByFingerprint and older than any command inserted later. Two of them may
  // share a fingerprint: both are candidates.
  void Load(std::vector<FingerprintedCommand> commands);

  // Remembers a command id the caller knows is new (FindCommand said so) at
  // `location`, whose position is above every one held: under its
  // fingerprint, or whole when the index already holds that.
  void Insert(absl::string_view id, CommandLocation location);

  // The locations held for `id`, usually none or one: the event at each has
  // `id` or, very rarely, another id with the same fingerprint.
  absl::InlinedVector<CommandLocation, 1> Candidates(absl::string_view id) const;

  size_t size() const { return loaded_.size() + recent_->entries.size() + whole_.size(); }

 private:
  // The inserted commands, oldest first; `first` numbers the front one. On
  // the heap, so that the slots' equality, which points at it, survives a
  // move of the index.
  struct Recent {
    const FingerprintedCommand& At(uint32_t number) const;

    std::deque<FingerprintedCommand> entries;
    uint32_t first = 0;  // wraps; numbers are compared as differences
  };
  // A slot: the entry's number in the high 32 bits, its fingerprint's low 32
  // bits in the low ones (the hash).
  using Slot = uint64_t;
  static Slot SlotOf(uint32_t number, uint64_t fingerprint) {
    return Slot{number} << 32 | static_cast<uint32_t>(fingerprint);
  }
  // Slots compare whole; a fingerprint is looked up as a FingerprintKey.
  struct FingerprintKey {
    uint64_t fingerprint;
  };
  struct SlotHash {
    using is_transparent = void;
    size_t operator()(Slot slot) const { return static_cast<uint32_t>(slot); }
    size_t operator()(FingerprintKey key) const { return static_cast<uint32_t>(key.fingerprint); }
  };
  struct SlotEq {
    using is_transparent = void;
    bool operator()(Slot a, Slot b) const { return a == b; }
    bool operator()(Slot slot, FingerprintKey key) const {
      return static_cast<uint32_t>(slot) == static_cast<uint32_t>(key.fingerprint) &&
             recent->At(static_cast<uint32_t>(slot >> 32)).fingerprint == key.fingerprint;
    }
    bool operator()(FingerprintKey key, Slot slot) const { return (*this)(slot, key); }
    const Recent* recent;
  };

  bool HoldsFingerprint(uint64_t fingerprint) const;
  void Inserted();

  uint64_t retention_;
  std::vector<FingerprintedCommand> loaded_;  // ByFingerprint
  std::unique_ptr<Recent> recent_;
  absl::flat_hash_set<Slot, SlotHash, SlotEq, HugePageAllocator<Slot>>
      by_fingerprint_;  // recent_'s
  absl::flat_hash_map<std::string, CommandLocation> whole_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
