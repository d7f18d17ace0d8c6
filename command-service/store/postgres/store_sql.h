#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_SQL_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_SQL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/postgres/pg_connection.h"

namespace bank::store::postgres {

// The statements of the store on the tables of `schema` (schema.h), for
// Connection::Prepare: begin, commit, lock_head, account_versions,
// stored_commands, append_events (EventRows' parameters with positions from
// the head, and the channel), insert_events (EventRows' parameters),
// publish_head (head, channel), read_head, read_range, read_account,
// read_accounts_after, read_command.
std::vector<Statement> StoreStatements(absl::string_view schema);

// The NOTIFY channel of the store in `schema`: every replica LISTENs on it.
std::string NotifyChannel(absl::string_view schema);

// Rows for insert_events or append_events, column by column (one array
// parameter a column).
class EventRows {
 public:
  enum class Positions {
    kStored,    // insert_events: each event's position is its own
    kFromHead,  // append_events: counted from the head, which the statement
                // adds; the payload then holds no position (see
                // StoredPayload)
  };
  explicit EventRows(Positions positions) : positions_(positions) {}

  // `event` (position set) as the row of a group that ends at `group_end`;
  // the group's command id goes on its first row only, where it is unique.
  void Add(const bank::v1::Event& event, uint64_t group_end, bool first_of_group);

  bool empty() const { return position_.empty(); }
  size_t size() const { return position_.size(); }
  // insert_events' parameters.
  Params ToParams() const;

 private:
  Positions positions_;
  std::vector<std::optional<std::string>> position_, group_end_, account_id_, version_, command_id_,
      recorded_at_, principal_, schema_version_, payload_;
};

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_SQL_H_
