#ifndef BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
#define BANK_COMMAND_SERVICE_COMMAND_INDEX_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "command-service/command.h"

namespace bank::command {

// An accepted command, kept under its command_id so that a retry gets the
// original reply however the account has changed since.
struct RecordedCommand {
  const std::string* account_id;  // the key in AccountBook's accounts, stable
  CommandKind kind;
  int64_t amount;
  uint64_t version;
  int64_t balance_after;
  uint64_t position;  // 0 while the event is not yet durable
};

// Accepted commands by id, compact enough to keep millions in memory: the ids
// sit back to back in arena chunks (a length byte, then the bytes), the
// commands in a deque, and the hash set holds 8-byte slots: the entry number
// and 32 bits of the id's hash, so that growing the set never reads an id
// again. About 110 bytes a command with 40-character ids, against ~235 for a
// flat_hash_map<std::string, RecordedCommand>. Not thread-safe; movable.
class CommandIndex {
 public:
  CommandIndex();

  // Records `command` under `id`, which must be a valid command id (at most
  // 128 bytes; see common/ids.h); false, changing nothing, when the id is
  // already there.
  bool Insert(absl::string_view id, const RecordedCommand& command);

  // The command under `id`, or nullptr. The pointer stays valid until Erase.
  RecordedCommand* Find(absl::string_view id);

  // Forgets `id` (its bytes stay in the arena: erasing is rare, only for a
  // command whose event failed to be written).
  void Erase(absl::string_view id);

  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    RecordedCommand command;
    const char* id;  // length byte, then the id's bytes, in an arena chunk
  };
  // Lives on the heap so that the hash set's equality, which points at it,
  // survives a move of the index.
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
      return storage->Id(static_cast<uint32_t>(slot >> 32)) == id;
    }
    bool operator()(absl::string_view id, Slot slot) const { return (*this)(slot, id); }
    const Storage* storage;
  };

  std::unique_ptr<Storage> storage_;
  absl::flat_hash_set<Slot, Hash, Eq> index_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_INDEX_H_
