#include "command-service/command_index.h"

#include <algorithm>
#include <utility>

namespace bank::command {
namespace {

// The loaded commands holding `fingerprint`, as a range of `loaded`.
auto LoadedRange(const std::vector<FingerprintedCommand>& loaded, uint64_t fingerprint) {
  return std::equal_range(loaded.begin(), loaded.end(), FingerprintedCommand{fingerprint, {}},
                          [](const FingerprintedCommand& a, const FingerprintedCommand& b) {
                            return a.fingerprint < b.fingerprint;
                          });
}

}  // namespace

uint64_t OldestOfNewest(std::vector<uint64_t> positions, size_t count) {
  const auto oldest = positions.end() - static_cast<std::ptrdiff_t>(count);
  std::nth_element(positions.begin(), oldest, positions.end());
  return *oldest;
}

CommandIndex::CommandIndex(uint64_t retention)
    : retention_(std::clamp<uint64_t>(retention, 1, kMaxCommandRetention)),
      recent_(std::make_unique<Recent>()),
      by_fingerprint_(0, SlotHash{}, SlotEq{recent_.get()}) {}

const FingerprintedCommand& CommandIndex::Recent::At(uint32_t number) const {
  return entries[static_cast<uint32_t>(number - first)];
}

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

void CommandIndex::Load(std::vector<FingerprintedCommand> commands) {
  loaded_ = std::move(commands);
  Inserted();
}

void CommandIndex::Insert(absl::string_view id, CommandLocation location) {
  const uint64_t fingerprint = Fingerprint(id);
  if (HoldsFingerprint(fingerprint)) {
    whole_.try_emplace(id, location);
  } else {
    const auto number = static_cast<uint32_t>(recent_->first + recent_->entries.size());
    recent_->entries.push_back({fingerprint, location});
    by_fingerprint_.insert(SlotOf(number, fingerprint));
  }
  Inserted();
}

absl::InlinedVector<CommandLocation, 1> CommandIndex::Candidates(absl::string_view id) const {
  absl::InlinedVector<CommandLocation, 1> candidates;
  if (!whole_.empty()) {  // the usual case: no hashing of the id
    if (auto it = whole_.find(id); it != whole_.end()) candidates.push_back(it->second);
  }
  const uint64_t fingerprint = Fingerprint(id);
  if (auto it = by_fingerprint_.find(FingerprintKey{fingerprint}); it != by_fingerprint_.end()) {
    candidates.push_back(recent_->At(static_cast<uint32_t>(*it >> 32)).location);
  }
  const auto [first, last] = LoadedRange(loaded_, fingerprint);
  for (auto it = first; it != last; ++it) candidates.push_back(it->location);
  return candidates;
}

bool CommandIndex::HoldsFingerprint(uint64_t fingerprint) const {
  if (by_fingerprint_.contains(FingerprintKey{fingerprint})) return true;
  const auto [first, last] = LoadedRange(loaded_, fingerprint);
  return first != last;
}

// Once twice the window is held, forgets all but the newest `retention_`.
void CommandIndex::Inserted() {
  if (size() < 2 * retention_) return;
  std::vector<uint64_t> positions;
  positions.reserve(size());
  for (const FingerprintedCommand& command : loaded_)
    positions.push_back(command.location.position);
  for (const FingerprintedCommand& command : recent_->entries)
    positions.push_back(command.location.position);
  for (const auto& [id, location] : whole_) positions.push_back(location.position);
  const uint64_t cut = OldestOfNewest(std::move(positions), retention_);
  std::erase_if(loaded_, [cut](const FingerprintedCommand& command) {
    return command.location.position < cut;
  });
  std::deque<FingerprintedCommand>& entries = recent_->entries;
  while (!entries.empty() && entries.front().location.position < cut) {
    by_fingerprint_.erase(SlotOf(recent_->first, entries.front().fingerprint));
    entries.pop_front();
    ++recent_->first;
  }
  absl::erase_if(whole_, [cut](const auto& entry) { return entry.second.position < cut; });
}

}  // namespace bank::command
