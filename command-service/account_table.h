#ifndef BANK_COMMAND_SERVICE_ACCOUNT_TABLE_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_TABLE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "command-service/account.h"
#include "common/huge_pages.h"

namespace bank::command {

// Every account's state by id, compact enough to keep millions in memory: the
// ids sit back to back in arena chunks (a length byte, then the bytes), the
// states in a deque, and the hash set holds 8-byte slots: the entry number and
// 32 bits of the id's hash, so that growing the set never reads an id again.
// About 50 bytes an account with 12-character ids, against ~85 for a
// node_hash_map<std::string, AccountState>. Accounts are never removed (an
// account with events exists forever). Not thread-safe; movable.
class AccountTable {
 public:
  AccountTable();

  // The account's state, or nullptr when it has no events yet.
  const AccountState* Find(absl::string_view id) const;

  // The account's state, added (zero balance, version 0) if it is not there.
  // `id` must be a valid account id (at most 64 bytes; see common/ids.h). The
  // reference stays valid for the table's life, moves included.
  AccountState& FindOrAdd(absl::string_view id);

  // Calls `visit` with every account, in the order they were added.
  void ForEach(
      absl::FunctionRef<void(absl::string_view id, const AccountState& state)> visit) const;

  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    AccountState state;
    const char* id;  // length byte, then the id's bytes, in an arena chunk
  };
  // Lives on the heap so that the hash set's equality, which points at it,
  // survives a move of the table.
  struct Storage {
    absl::string_view Id(uint32_t entry) const;
    const char* CopyId(absl::string_view id);

    std::deque<Entry> entries;
    std::vector<std::unique_ptr<char[]>> chunks;
    size_t chunk_used = 0;
  };
  // A slot: entry number in the high 32 bits, the id's hash in the low 32.
  using Slot = uint64_t;
  static uint32_t HashBits(absl::string_view id);
  struct Hash {
    using is_transparent = void;
    size_t operator()(Slot slot) const { return static_cast<uint32_t>(slot); }
    size_t operator()(absl::string_view id) const { return HashBits(id); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(Slot a, Slot b) const { return a == b; }
    bool operator()(Slot slot, absl::string_view id) const {
      return static_cast<uint32_t>(slot) == HashBits(id) &&
             storage->Id(static_cast<uint32_t>(slot >> 32)) == id;
    }
    bool operator()(absl::string_view id, Slot slot) const { return (*this)(slot, id); }
    const Storage* storage;
  };

  std::unique_ptr<Storage> storage_;
  absl::flat_hash_set<Slot, Hash, Eq, HugePageAllocator<Slot>> index_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_TABLE_H_
