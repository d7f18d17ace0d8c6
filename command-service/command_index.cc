#include "command-service/command_index.h"

#include "absl/hash/hash.h"

namespace bank::command {

CommandIndex::CommandIndex(uint64_t retention) : retention_(retention) {}

uint64_t CommandIndex::Fingerprint(absl::string_view id) {
  // absl::Hash is seeded per process: fine, the index never leaves it.
  return absl::Hash<absl::string_view>{}(id);
}

bool CommandIndex::Insert(absl::string_view id, CommandLocation location) {
  newest_position_ = location.position;
  const bool inserted = by_fingerprint_.try_emplace(Fingerprint(id), location).second ||
                        whole_.try_emplace(id, location).second;
  if (inserted) SweepIfFull();
  return inserted;
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

void CommandIndex::ForEachClash(
    absl::FunctionRef<void(absl::string_view id, CommandLocation whole, CommandLocation holder)>
        clash) const {
  for (const auto& [id, location] : whole_) {
    auto holder = by_fingerprint_.find(Fingerprint(id));
    // A holder swept away since leaves nothing to compare with.
    if (holder != by_fingerprint_.end()) clash(id, location, holder->second);
  }
}

void CommandIndex::SweepIfFull() {
  if (size() < 2 * retention_) return;
  const auto expired = [this](const auto& entry) {
    return entry.second.position + retention_ <= newest_position_;
  };
  absl::erase_if(by_fingerprint_, expired);
  absl::erase_if(whole_, expired);
}

}  // namespace bank::command
