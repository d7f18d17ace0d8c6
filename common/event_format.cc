#include "common/event_format.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
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
    default:
      return "KIND_UNSPECIFIED";
  }
}

// An event's body as a transaction kind and amount, so history and watch
// describe money moving in the same words.
Transaction::Kind EventKind(const Event& event) {
  switch (event.body_case()) {
    case Event::kDeposited:
      return Transaction::DEPOSIT;
    case Event::kWithdrawn:
      return Transaction::WITHDRAWAL;
    default:
      return Transaction::KIND_UNSPECIFIED;
  }
}

int64_t EventAmount(const Event& event) {
  switch (event.body_case()) {
    case Event::kDeposited:
      return event.deposited().amount();
    case Event::kWithdrawn:
      return event.withdrawn().amount();
    default:
      return 0;
  }
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
    return json.Build();
  }
  return absl::StrCat("version ", transaction.version(), ", position ", transaction.position(),
                      ": ", KindWord(transaction.kind()), " ", transaction.amount(),
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
        .Add("kind", KindName(EventKind(event)))
        .Add("amount", EventAmount(event))
        .Add("command_id", event.command_id());
    AddRecordedAt(json, event.has_recorded_at(), event.recorded_at());
    json.Add("principal", event.principal());
    return json.Build();
  }
  return absl::StrCat("position ", event.position(), ", ", event.account_id(), " version ",
                      event.version(), ": ", KindWord(EventKind(event)), " ", EventAmount(event),
                      HumanProvenance(event.command_id(), event.principal(),
                                      event.has_recorded_at(), event.recorded_at()));
}

}  // namespace bank
