#ifndef BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
#define BANK_COMMAND_SERVICE_COMMAND_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace bank::command {

// Where an accepted command's event is in the log, and the balance it left
// (the one number of its reply the event does not carry).
struct CommandLocation {
  uint64_t position = 0;
  int64_t balance_after = 0;
};

// The accepted commands of the retention window, by command id, for
// idempotency. The index does not keep the ids: the log has them. It keeps a
// 64-bit fingerprint of each id with its event's location (24 bytes, against
// 110+ for the id itself), so a match is only a candidate that the caller
// confirms by reading the event back (AccountBook::FindCommand). An id whose
// fingerprint another id already holds is kept whole, in a side map that
// stays empty in practice (2^-64 a pair). Not thread-safe; movable.
//
// Retention: the contract keeps ids "for at least the last 1,000,000 accepted
// commands". Every accepted command takes one position, so the index keeps
// every command whose position is within `retention` of the newest one. It
// forgets the older ones in sweeps, once it holds twice that many, so it
// holds at most 2 x `retention` commands and a sweep costs O(1) a command.
class CommandIndex {
 public:
  explicit CommandIndex(uint64_t retention);

  // Remembers `id` at `location`; `location.position` must be above every
  // position inserted before. False, changing nothing, only when `id` is
  // already kept whole; a fingerprint clash is not detected here (see
  // ForEachClash).
  bool Insert(absl::string_view id, CommandLocation location);

  // The location of `id` if it is kept whole: a certain match.
  std::optional<CommandLocation> FindWhole(absl::string_view id) const;

  // The location held under `id`'s fingerprint: the event there has `id` or,
  // very rarely, another id with the same fingerprint.
  std::optional<CommandLocation> FindCandidate(absl::string_view id) const;

  // Calls `clash` for every id kept whole, with the location its fingerprint
  // points at: the caller checks that the event there has another id (if it
  // has the same one, the log carries one command id twice).
  void ForEachClash(
      absl::FunctionRef<void(absl::string_view id, CommandLocation whole, CommandLocation holder)>
          clash) const;

  size_t size() const { return by_fingerprint_.size() + whole_.size(); }

 private:
  static uint64_t Fingerprint(absl::string_view id);
  void SweepIfFull();

  uint64_t retention_;
  uint64_t newest_position_ = 0;
  absl::flat_hash_map<uint64_t, CommandLocation> by_fingerprint_;
  absl::flat_hash_map<std::string, CommandLocation> whole_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
