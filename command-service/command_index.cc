#include "command-service/command_index.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace bank::command {

CommandIndex::CommandIndex(uint64_t retention) : retention_(std::max<uint64_t>(retention, 1)) {}

uint64_t CommandIndex::Fingerprint(absl::string_view id) {
  uint64_t hash = 0xcbf29ce484222325;  // FNV-1a's offset basis and prime
  for (const char c : id) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  }
  // MurmurHash3's fmix64, so that ids differing in their last bytes differ in
  // every bit.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccd;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53;
  hash ^= hash >> 33;
  return hash;
}

void CommandIndex::Insert(absl::string_view id, CommandLocation location) {
  if (InsertFingerprint(Fingerprint(id), location).has_value()) InsertWhole(id, location);
}

std::optional<CommandLocation> CommandIndex::InsertFingerprint(uint64_t fingerprint,
                                                               CommandLocation location) {
  auto [it, inserted] = by_fingerprint_.try_emplace(fingerprint, location);
  if (!inserted) return it->second;
  Inserted();
  return std::nullopt;
}

bool CommandIndex::InsertWhole(absl::string_view id, CommandLocation location) {
  if (!whole_.try_emplace(id, location).second) return false;
  Inserted();
  return true;
}

std::optional<CommandLocation> CommandIndex::FindWhole(absl::string_view id) const {
  if (whole_.empty()) return std::nullopt;  // the usual case: no hashing
  auto it = whole_.find(id);
  return it == whole_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<CommandLocation> CommandIndex::FindCandidate(absl::string_view id) const {
  auto it = by_fingerprint_.find(Fingerprint(id));
  return it == by_fingerprint_.end() ? std::nullopt : std::optional(it->second);
}

// Once twice the window is kept, forgets all but the newest `retention_`
// commands: the positions at or above the retention_-th newest one.
void CommandIndex::Inserted() {
  if (size() < 2 * retention_) return;
  std::vector<uint64_t> positions;
  positions.reserve(size());
  for (const auto& [fingerprint, location] : by_fingerprint_)
    positions.push_back(location.position);
  for (const auto& [id, location] : whole_) positions.push_back(location.position);
  const auto oldest_kept = positions.end() - static_cast<ptrdiff_t>(retention_);
  std::nth_element(positions.begin(), oldest_kept, positions.end());
  const auto expired = [cut = *oldest_kept](const auto& entry) {
    return entry.second.position < cut;
  };
  absl::erase_if(by_fingerprint_, expired);
  absl::erase_if(whole_, expired);
}

}  // namespace bank::command
