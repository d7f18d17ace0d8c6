#include "command-service/store/postgres/store_import.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "command-service/store/postgres/pg_binary.h"
#include "command-service/store/postgres/schema.h"
#include "command-service/store/postgres/store_uri.h"

namespace bank::store::postgres {
namespace {

constexpr size_t kRowsPerInsert = 4096;

}  // namespace

absl::StatusOr<std::unique_ptr<StoreImport>> StoreImport::Begin(const std::string& uri,
                                                                const std::string& schema) {
  if (absl::Status valid = ValidateUri(uri); !valid.ok()) return valid;
  if (absl::Status valid = ValidateSchemaName(schema); !valid.ok()) return valid;
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open({.uri = uri, .application_name = "bank-log:copy"});
  if (!connection.ok()) return connection.status();
  absl::Status ready = (*connection)->Prepare(SchemaStatements());
  if (ready.ok()) ready = EnsureSchema(**connection, schema);
  if (ready.ok()) ready = (*connection)->Prepare(StoreStatements(schema));
  if (ready.ok()) ready = (*connection)->ExecuteSql("BEGIN").status();
  if (!ready.ok()) return ready;
  absl::StatusOr<Result> head = (*connection)->Execute("lock_head", Params());
  if (!head.ok()) return head.status();
  if (const int64_t position = GetInt8(head->get(), 0, 0); position != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store in schema ", schema, " is not empty (its head is at position ",
                     position, "); bank-log copy fills only an empty store"));
  }
  return std::unique_ptr<StoreImport>(new StoreImport(std::move(*connection), schema));
}

StoreImport::~StoreImport() {
  if (!committed_ && !connection_->broken()) (void)connection_->ExecuteSql("ROLLBACK");
}

absl::Status StoreImport::Add(const bank::v1::Event& event, uint64_t group_end) {
  if (event.position() != head_ + 1) {
    return absl::DataLossError(absl::StrCat("event at position ", event.position(), " after ",
                                            head_, ": the copy must be dense from 1"));
  }
  const bool first_of_group = event.position() > group_end_;
  if (group_end < event.position() || (!first_of_group && group_end != group_end_)) {
    return absl::DataLossError(absl::StrCat("event at position ", event.position(),
                                            " ends its group at ", group_end,
                                            ", which does not fit the group before it"));
  }
  rows_.Add(event, group_end, first_of_group);
  head_ = event.position();
  group_end_ = group_end;
  return rows_.size() >= kRowsPerInsert ? Flush() : absl::OkStatus();
}

absl::Status StoreImport::Flush() {
  if (rows_.empty()) return absl::OkStatus();
  absl::StatusOr<Result> inserted = connection_->Execute("insert_events", rows_.ToParams());
  rows_ = EventRows(EventRows::Positions::kStored);
  return inserted.status();
}

absl::StatusOr<uint64_t> StoreImport::Commit() {
  if (absl::Status flushed = Flush(); !flushed.ok()) return flushed;
  absl::StatusOr<Result> published = connection_->Execute(
      "publish_head", Params().Add(Int8(static_cast<int64_t>(head_))).Add(NotifyChannel(schema_)));
  if (!published.ok()) return published.status();
  if (absl::StatusOr<Result> done = connection_->ExecuteSql("COMMIT"); !done.ok()) {
    return done.status();
  }
  committed_ = true;
  if (absl::StatusOr<Result> analyzed =
          connection_->ExecuteSql(absl::StrCat("ANALYZE ", QuoteIdentifier(schema_), ".events"));
      !analyzed.ok()) {
    return analyzed.status();
  }
  return head_;
}

}  // namespace bank::store::postgres
