#include "command-service/command_index.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace bank::command {

CommandIndex::CommandIndex(uint64_t retention) : retention_(retention) {}

uint64_t CommandIndex::Fingerprint(absl::string_view id) {
  return absl::Hash<absl::string_view>{}(id);
}

void CommandIndex::Insert(absl::string_view id, CommandLocation location) {
  if (InsertFingerprint(Fingerprint(id), location).has_value()) InsertWhole(id, location);
}

std::optional<CommandLocation> CommandIndex::InsertFingerprint(uint64_t fingerprint,
                                                               CommandLocation location) {
  auto [it, inserted] = by_fingerprint_.try_emplace(fingerprint, location);
  if (!inserted) return it->second;
  Inserted(location.position);
  return std::nullopt;
}

bool CommandIndex::InsertWhole(absl::string_view id, CommandLocation location) {
  if (!whole_.try_emplace(id, location).second) return false;
  Inserted(location.position);
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

// Forgets the commands older than the window once twice the window is kept.
void CommandIndex::Inserted(uint64_t position) {
  newest_position_ = std::max(newest_position_, position);
  if (size() < 2 * retention_) return;
  const auto expired = [this](const auto& entry) {
    return entry.second.position + retention_ <= newest_position_;
  };
  absl::erase_if(by_fingerprint_, expired);
  absl::erase_if(whole_, expired);
}

}  // namespace bank::command
