#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_IMPORT_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_IMPORT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/postgres/pg_connection.h"
#include "command-service/store/postgres/store_sql.h"

namespace bank::store::postgres {

// Fills an empty PostgreSQL store with events that already have their
// positions (a file log's: `bank-log copy`), keeping position, version,
// command_id and recorded_at. All in one transaction, which holds the head
// row's lock throughout: no replica commits meanwhile, and a copy that fails
// or is abandoned leaves the store as it was.
class StoreImport {
 public:
  // Connects, creates or checks the schema (EnsureSchema) and takes the
  // head. FAILED_PRECONDITION when the store holds any event;
  // INVALID_ARGUMENT for a malformed URI or schema; UNAVAILABLE when the
  // database cannot be reached.
  static absl::StatusOr<std::unique_ptr<StoreImport>> Begin(const std::string& uri,
                                                            const std::string& schema);
  // Rolls back unless Commit() succeeded.
  ~StoreImport();

  // The next event: positions 1, 2, 3 ... in order (DATA_LOSS otherwise), in
  // the group that ends at `group_end` (its own position when alone), as the
  // file log stored them: a transfer's two events stay one group.
  absl::Status Add(const bank::v1::Event& event, uint64_t group_end);
  // Stores what was added, commits, and has PostgreSQL gather the table's
  // statistics (a table planned without them reads position ranges through
  // a bitmap scan and a sort: catch-up over a freshly copied store ran 9
  // times slower); the number of events.
  absl::StatusOr<uint64_t> Commit();

 private:
  StoreImport(std::unique_ptr<Connection> connection, std::string schema)
      : connection_(std::move(connection)), schema_(std::move(schema)) {}
  absl::Status Flush();

  std::unique_ptr<Connection> connection_;
  const std::string schema_;
  EventRows rows_{EventRows::Positions::kStored};
  uint64_t head_ = 0;
  uint64_t group_end_ = 0;  // of the group the last event added is in
  bool committed_ = false;
};

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_IMPORT_H_
