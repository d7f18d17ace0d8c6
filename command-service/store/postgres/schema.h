#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_SCHEMA_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_SCHEMA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "command-service/store/postgres/pg_connection.h"

namespace bank::store::postgres {

// The tables of one store, in the schema --store_schema names (the SQL is in
// schema.cc, and docs/postgres-store.md draws it with the reasons):
//
//   events      one row an event: position (the primary key, dense from 1),
//               group_end (the position of its group's last event), account_id
//               and version (unique together: no forked account, even from a
//               buggy replica), command_id (on a group's first event only,
//               unique when present: no double deposit), recorded_at,
//               principal, schema_version and payload (the event's bytes in
//               that version, read through the upcaster as the file log's are)
//   store_meta  key/value rows: `schema_version` (for later migrations) and
//               `head`, the last position: every commit updates this one row
//               first, so commits take positions one at a time, in commit
//               order, with no gap (see postgres_event_store.h)
inline constexpr int64_t kSchemaVersion = 1;

// The schema-qualified name of `table` in `schema` (already validated).
std::string Table(absl::string_view schema, absl::string_view table);

// Creates the schema and its tables when the schema holds none, or checks
// that they are this release's. Race-safe when replicas start at once on an
// empty database: it holds a transaction-scoped advisory lock, so one
// creates and the others then find the tables. FAILED_PRECONDITION, with
// nothing touched, when the schema holds tables that are not ours or was
// written by a newer release; UNAVAILABLE when the connection fails.
absl::Status EnsureSchema(Connection& connection, absl::string_view schema);

// The statements EnsureSchema needs prepared on its connection.
std::vector<Statement> SchemaStatements();

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_SCHEMA_H_
