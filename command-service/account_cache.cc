#include "command-service/account_cache.h"

#include <algorithm>
#include <utility>

namespace bank::command {

AccountCache::AccountCache(size_t capacity)
    : generation_capacity_(std::max<size_t>(capacity / 2, 1)) {}

std::optional<AccountState> AccountCache::Find(absl::string_view account_id) {
  if (auto young = young_.find(account_id); young != young_.end()) return young->second;
  auto old = old_.find(account_id);
  if (old == old_.end()) return std::nullopt;
  const AccountState state = old->second;
  old_.erase(old);
  Put(account_id, state);
  return state;
}

void AccountCache::Put(absl::string_view account_id, AccountState state) {
  if (auto young = young_.find(account_id); young != young_.end()) {
    young->second = state;
    return;
  }
  old_.erase(account_id);
  if (young_.size() >= generation_capacity_) {
    // The young generation grows old; the old one is dropped.
    old_.swap(young_);
    young_.clear();
  }
  young_.emplace(account_id, state);
}

void AccountCache::Forget(absl::string_view account_id) {
  young_.erase(account_id);
  old_.erase(account_id);
}

}  // namespace bank::command
