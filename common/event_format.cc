#include "common/event_format.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/balance_effect.h"
#include "common/json.h"

namespace bank {
namespace {

using bank::v1::Event;
using bank::v1::Transaction;

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  // RFC 3339 in UTC with a "Z", fractional seconds only when present.
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

// The human words and JSON names of a transaction's direction.
absl::string_view KindWord(Transaction::Kind kind) {
  switch (kind) {
    case Transaction::DEPOSIT:
      return "deposit";
    case Transaction::WITHDRAWAL:
      return "withdrawal";
    case Transaction::TRANSFER_OUT:
      return "transfer out";
    case Transaction::TRANSFER_IN:
      return "transfer in";
    default:
      return "unknown";
  }
}

absl::string_view KindName(Transaction::Kind kind) {
  switch (kind) {
    case Transaction::DEPOSIT:
      return "DEPOSIT";
    case Transaction::WITHDRAWAL:
      return "WITHDRAWAL";
    case Transaction::TRANSFER_OUT:
      return "TRANSFER_OUT";
    case Transaction::TRANSFER_IN:
      return "TRANSFER_IN";
    default:
      return "KIND_UNSPECIFIED";
  }
}

// " to B" / " from A" for a transfer's leg, else nothing.
std::string Counterparty(Transaction::Kind kind, const std::string& account_id) {
  if (kind == Transaction::TRANSFER_OUT) return absl::StrCat(" to ", account_id);
  if (kind == Transaction::TRANSFER_IN) return absl::StrCat(" from ", account_id);
  return "";
}

// ", command_id X, by P, at T" with each part only when known.
std::string HumanProvenance(const std::string& command_id, const std::string& principal,
                            bool has_recorded_at, const google::protobuf::Timestamp& recorded_at) {
  std::string out;
  if (!command_id.empty()) absl::StrAppend(&out, ", command_id ", command_id);
  if (!principal.empty()) absl::StrAppend(&out, ", by ", principal);
  if (has_recorded_at) absl::StrAppend(&out, ", at ", Rfc3339(recorded_at));
  return out;
}

void AddRecordedAt(JsonObject& json, bool has_recorded_at,
                   const google::protobuf::Timestamp& recorded_at) {
  if (has_recorded_at) {
    json.Add("recorded_at", Rfc3339(recorded_at));
  } else {
    json.AddNull("recorded_at");
  }
}

// A transfer's leg names its other account last; other kinds have none, and
// their lines stay as they were before transfers.
void AddCounterparty(JsonObject& json, const std::string& account_id) {
  if (!account_id.empty()) json.Add("counterparty_account_id", account_id);
}

}  // namespace

std::string FormatTransaction(const Transaction& transaction, Format format) {
  if (format == Format::kJson) {
    JsonObject json;
    json.Add("version", transaction.version())
        .Add("position", transaction.position())
        .Add("kind", KindName(transaction.kind()))
        .Add("amount", transaction.amount())
        .Add("balance_after", transaction.balance_after())
        .Add("command_id", transaction.command_id());
    AddRecordedAt(json, transaction.has_recorded_at(), transaction.recorded_at());
    json.Add("principal", transaction.principal());
    AddCounterparty(json, transaction.counterparty_account_id());
    return json.Build();
  }
  return absl::StrCat("version ", transaction.version(), ", position ", transaction.position(),
                      ": ", KindWord(transaction.kind()), " ", transaction.amount(),
                      Counterparty(transaction.kind(), transaction.counterparty_account_id()),
                      ", balance after ", transaction.balance_after(),
                      HumanProvenance(transaction.command_id(), transaction.principal(),
                                      transaction.has_recorded_at(), transaction.recorded_at()));
}

std::string FormatEvent(const Event& event, Format format) {
  if (format == Format::kJson) {
    JsonObject json;
    json.Add("position", event.position())
        .Add("account_id", event.account_id())
        .Add("version", event.version())
        .Add("kind", KindName(TransactionKindOf(event)))
        .Add("amount", AmountMoved(event))
        .Add("command_id", event.command_id());
    AddRecordedAt(json, event.has_recorded_at(), event.recorded_at());
    json.Add("principal", event.principal());
    AddCounterparty(json, CounterpartyOf(event));
    return json.Build();
  }
  return absl::StrCat("position ", event.position(), ", ", event.account_id(), " version ",
                      event.version(), ": ", KindWord(TransactionKindOf(event)), " ",
                      AmountMoved(event),
                      Counterparty(TransactionKindOf(event), CounterpartyOf(event)),
                      HumanProvenance(event.command_id(), event.principal(),
                                      event.has_recorded_at(), event.recorded_at()));
}

}  // namespace bank
