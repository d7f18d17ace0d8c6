#include "command-service/store/postgres/schema.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "command-service/store/postgres/pg_binary.h"

namespace bank::store::postgres {
namespace {

// Every column each table must have; a table with fewer is not ours.
const std::set<std::string>& EventColumns() {
  static const auto* columns = new std::set<std::string>{
      "position",    "group_end", "account_id",     "version", "command_id",
      "recorded_at", "principal", "schema_version", "payload"};
  return *columns;
}

// $S is the quoted schema name: DDL takes no parameters, and the name is
// checked (ValidateSchemaName) and quoted (QuoteIdentifier) before it gets
// here. The checks restate what the store relies on, so no writer, however
// buggy, can store what the store would misread.
constexpr char kCreateSql[] = R"sql(
CREATE SCHEMA IF NOT EXISTS $S;
CREATE TABLE $S.store_meta (
  key text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO $S.store_meta (key, value) VALUES ('schema_version', $V), ('head', 0);
CREATE TABLE $S.events (
  position bigint PRIMARY KEY CHECK (position > 0),
  group_end bigint NOT NULL CHECK (group_end >= position),
  account_id text NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  command_id text CHECK (command_id <> ''),
  recorded_at timestamptz NOT NULL,
  principal text NOT NULL,
  schema_version smallint NOT NULL,
  payload bytea NOT NULL,
  UNIQUE (account_id, version)
);
CREATE UNIQUE INDEX events_command_id ON $S.events (command_id) WHERE command_id IS NOT NULL;
)sql";

absl::Status CheckOurs(Connection& connection, absl::string_view schema,
                       const std::set<std::string>& tables) {
  if (tables != std::set<std::string>{"events", "store_meta"}) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the schema ", schema, " holds tables that are not this store's (",
        absl::StrJoin(tables, ", "), "); name another with --store_schema, or drop them"));
  }
  absl::StatusOr<Result> columns =
      connection.Execute("schema_columns", Params().Add(std::string(schema)));
  if (!columns.ok()) return columns.status();
  std::set<std::string> event_columns;
  for (int row = 0; row < PQntuples(columns->get()); ++row) {
    event_columns.emplace(GetBytes(columns->get(), row, 0));
  }
  for (const std::string& column : EventColumns()) {
    if (event_columns.count(column) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the table ", schema, ".events is not this store's: it has no column ", column));
    }
  }
  absl::StatusOr<Result> version = connection.ExecuteSql(absl::StrCat(
      "SELECT value FROM ", Table(schema, "store_meta"), " WHERE key = 'schema_version'"));
  if (!version.ok()) return version.status();
  int64_t stored = 0;
  if (PQntuples(version->get()) != 1 ||
      !absl::SimpleAtoi(PQgetvalue(version->get(), 0, 0), &stored)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the table ", schema, ".store_meta is not this store's: it has no schema_version row"));
  }
  if (stored > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store in schema ", schema, " has schema version ", stored,
                     ", from a newer release; this release knows version ", kSchemaVersion,
                     ": run a newer release"));
  }
  if (stored < kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("the store in schema ", schema,
                                                      " has schema version ", stored,
                                                      ", which no release wrote"));
  }
  return absl::OkStatus();
}

absl::Status CreateOrCheck(Connection& connection, absl::string_view schema) {
  const std::string name(schema);
  absl::StatusOr<Result> locked = connection.Execute("schema_lock", Params().Add(name));
  if (!locked.ok()) return locked.status();
  absl::StatusOr<Result> listed = connection.Execute("schema_tables", Params().Add(name));
  if (!listed.ok()) return listed.status();
  std::set<std::string> tables;
  for (int row = 0; row < PQntuples(listed->get()); ++row) {
    tables.emplace(GetBytes(listed->get(), row, 0));
  }
  if (!tables.empty()) return CheckOurs(connection, schema, tables);
  return connection
      .ExecuteSql(absl::StrReplaceAll(
          kCreateSql, {{"$S", QuoteIdentifier(schema)}, {"$V", absl::StrCat(kSchemaVersion)}}))
      .status();
}

}  // namespace

std::string Table(absl::string_view schema, absl::string_view table) {
  return absl::StrCat(QuoteIdentifier(schema), ".", table);
}

std::vector<Statement> SchemaStatements() {
  return {
      // A key per schema name: replicas starting together on one schema
      // take turns, stores in other schemas do not wait for them.
      {"schema_lock", "SELECT pg_advisory_xact_lock(hashtext('bank store schema ' || $1::text))"},
      {"schema_tables",
       "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1::text"},
      {"schema_columns",
       "SELECT column_name::text FROM information_schema.columns "
       "WHERE table_schema = $1::text AND table_name = 'events'"},
  };
}

absl::Status EnsureSchema(Connection& connection, absl::string_view schema) {
  if (absl::StatusOr<Result> begun = connection.ExecuteSql("BEGIN"); !begun.ok()) {
    return begun.status();
  }
  absl::Status done = CreateOrCheck(connection, schema);
  if (done.ok()) done = connection.ExecuteSql("COMMIT").status();
  if (!done.ok() && !connection.broken()) (void)connection.ExecuteSql("ROLLBACK");
  return done;
}

}  // namespace bank::store::postgres
