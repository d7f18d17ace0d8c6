#ifndef BANK_QUERY_SERVICE_READ_MODEL_H_
#define BANK_QUERY_SERVICE_READ_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bank/v1/event.pb.h"
#include "bank/v1/query_service.pb.h"

namespace bank::query {

struct AccountState {
  int64_t balance = 0;
  uint64_t version = 0;
  uint64_t last_position = 0;
};

// An account as a reader sees it, with the projection's applied position at
// the moment of the read (never below state.last_position).
struct AccountView {
  std::string account_id;
  AccountState state;
  uint64_t as_of_position = 0;
};

struct TransactionRecord {
  uint64_t version = 0;
  uint64_t position = 0;
  // common/balance_effect.h's TransactionKindOf the event.
  bank::v1::Transaction::Kind kind = bank::v1::Transaction::KIND_UNSPECIFIED;
  int64_t amount = 0;  // always positive; kind gives the direction
  int64_t balance_after = 0;
  std::string command_id;
  absl::Time recorded_at;
  std::string principal;                // who issued it (Event.principal)
  std::string counterparty_account_id;  // a transfer's other account; else empty
};

// The query side's seam: what the subscriber, the projector and the gRPC
// edge need of the read model, whatever engine keeps it
// (sqlite/sqlite_read_model.h is the one there is). A read model is a fold of
// the log's prefix up to its checkpoint: Apply() moves the checkpoint and the
// state together, all or nothing. Thread-safe: Apply() calls come one at a
// time (the projector's thread), reads from any thread at once, and a read
// sees an Apply's effects whole or not at all.
class ReadModel {
 public:
  virtual ~ReadModel() = default;

  // Applies `events`, which must be in position order. Events at or below
  // the applied position are skipped; the first one above it must be exactly
  // applied+1 and the rest dense. All or nothing: on error nothing changed.
  // FAILED_PRECONDITION: a gap, a repeat, or an account version out of
  // sequence. DATA_LOSS: an event no command could have produced
  // (common/balance_effect.h). Others: the engine's trouble.
  virtual absl::Status Apply(absl::Span<const bank::v1::Event> events) = 0;

  // The checkpoint: the position of the last applied event, 0 when none.
  virtual uint64_t applied_position() const = 0;

  // NOT_FOUND when the account has no applied event.
  virtual absl::StatusOr<AccountView> GetAccount(absl::string_view account_id) const = 0;

  // Up to `limit` accounts with id > `after` (bytewise), in id order.
  virtual std::vector<AccountView> ListAccounts(absl::string_view after, size_t limit) const = 0;

  // Up to `limit` transactions of `account_id` with version > `after_version`,
  // in version order. Unknown accounts give an empty list.
  virtual absl::StatusOr<std::vector<TransactionRecord>> GetHistory(absl::string_view account_id,
                                                                    uint64_t after_version,
                                                                    size_t limit) const = 0;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_READ_MODEL_H_
