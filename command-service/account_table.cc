#include "command-service/account_table.h"

#include <cstring>

#include "absl/hash/hash.h"

namespace bank::command {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

}  // namespace

absl::string_view AccountTable::Storage::Id(uint32_t entry) const {
  const char* id = entries[entry].id;
  return absl::string_view(id + 1, static_cast<unsigned char>(id[0]));
}

const char* AccountTable::Storage::CopyId(absl::string_view id) {
  const size_t needed = 1 + id.size();
  if (chunks.empty() || chunk_used + needed > kChunkBytes) {
    // Not zero-filled: the bytes are written before they are read.
    chunks.push_back(std::make_unique_for_overwrite<char[]>(kChunkBytes));
    chunk_used = 0;
  }
  char* copy = chunks.back().get() + chunk_used;
  copy[0] = static_cast<char>(id.size());
  std::memcpy(copy + 1, id.data(), id.size());
  chunk_used += needed;
  return copy;
}

uint32_t AccountTable::HashBits(absl::string_view id) {
  return static_cast<uint32_t>(absl::Hash<absl::string_view>{}(id));
}

AccountTable::AccountTable()
    : storage_(std::make_unique<Storage>()), index_(0, Hash{}, Eq{storage_.get()}) {}

const AccountState* AccountTable::Find(absl::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &storage_->entries[*it >> 32].state;
}

AccountState& AccountTable::FindOrAdd(absl::string_view id) {
  auto it = index_.find(id);
  if (it != index_.end()) return storage_->entries[*it >> 32].state;
  storage_->entries.push_back({AccountState{}, storage_->CopyId(id)});
  const Slot entry = storage_->entries.size() - 1;
  index_.insert(entry << 32 | HashBits(id));
  return storage_->entries.back().state;
}

void AccountTable::ForEach(
    absl::FunctionRef<void(absl::string_view id, const AccountState& state)> visit) const {
  for (uint32_t entry = 0; entry < storage_->entries.size(); ++entry) {
    visit(storage_->Id(entry), storage_->entries[entry].state);
  }
}

}  // namespace bank::command
