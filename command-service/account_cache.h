#ifndef BANK_COMMAND_SERVICE_ACCOUNT_CACHE_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_CACHE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "command-service/account.h"

namespace bank::command {

// The accounts a replica on a shared store has in use, at most `capacity` of
// them, so that its memory stays flat however many accounts the store holds.
// What it holds is a hint, never the truth: the store refuses a decision made
// on a stale state, and the handler then reads the account again. So any
// account may be forgotten at any time, and eviction can be simple.
//
// Two generations: new and touched accounts go to the young one; when it is
// full it becomes the old one and the previous old one is dropped whole. An
// account used at least once a generation stays (a hit in the old one moves
// it back to the young), so hot accounts survive and a scan of cold ones
// costs at most the old generation. Not thread-safe.
class AccountCache {
 public:
  explicit AccountCache(size_t capacity);

  // The account's state, if held; keeps it for another generation.
  std::optional<AccountState> Find(absl::string_view account_id);

  // Holds `state` as the account's.
  void Put(absl::string_view account_id, AccountState state);

  // Drops the account: its state may include an event the store refused.
  void Forget(absl::string_view account_id);

  size_t size() const { return young_.size() + old_.size(); }

 private:
  size_t generation_capacity_;
  absl::flat_hash_map<std::string, AccountState> young_;
  absl::flat_hash_map<std::string, AccountState> old_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_CACHE_H_
