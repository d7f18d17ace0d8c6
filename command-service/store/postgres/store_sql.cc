#include "command-service/store/postgres/store_sql.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "command-service/store/event_upcaster.h"
#include "command-service/store/postgres/pg_binary.h"
#include "google/protobuf/util/time_util.h"

namespace bank::store::postgres {

// $S is the quoted schema (see schema.cc). Every value is a parameter.
std::vector<Statement> StoreStatements(absl::string_view schema) {
  std::vector<Statement> statements = {
      // Sent together with other statements (Connection::ExecuteAll).
      {"begin", "BEGIN"},
      {"commit", "COMMIT"},
      {"lock_head", "SELECT value FROM $S.store_meta WHERE key = 'head' FOR UPDATE"},
      {"account_versions",
       "SELECT a.id, coalesce((SELECT max(e.version) FROM $S.events e WHERE e.account_id = a.id), "
       "0)::int8 FROM unnest($1::text[]) AS a(id)"},
      // The IS NOT NULL lets the planner use the partial unique index.
      {"stored_commands",
       "SELECT command_id FROM $S.events "
       "WHERE command_id = ANY($1::text[]) AND command_id IS NOT NULL"},
      {"insert_events",
       "INSERT INTO $S.events (position, group_end, account_id, version, command_id, recorded_at, "
       "principal, schema_version, payload) SELECT * FROM unnest($1::int8[], $2::int8[], "
       "$3::text[], $4::int8[], $5::text[], $6::timestamptz[], $7::text[], $8::int2[], "
       "$9::bytea[])"},
      // A commit's events, positions and group ends relative to the head:
      // the UPDATE takes the head row's lock (held to COMMIT, so commits
      // are ordered by it) and returns the head before them; NOTIFY is
      // delivered at COMMIT, to every LISTENing replica. The head before.
      {"append_events",
       "WITH head AS (UPDATE $S.store_meta SET value = value + cardinality($1::int8[]) "
       "WHERE key = 'head' RETURNING value - cardinality($1::int8[]) AS before), "
       "stored AS (INSERT INTO $S.events (position, group_end, account_id, version, command_id, "
       "recorded_at, principal, schema_version, payload) SELECT head.before + e.position, "
       "head.before + e.group_end, e.account_id, e.version, e.command_id, e.recorded_at, "
       "e.principal, e.schema_version, e.payload FROM head, unnest($1::int8[], $2::int8[], "
       "$3::text[], $4::int8[], $5::text[], $6::timestamptz[], $7::text[], $8::int2[], "
       "$9::bytea[]) AS e(position, group_end, account_id, version, command_id, recorded_at, "
       "principal, schema_version, payload)) "
       "SELECT before, pg_notify($10::text, (before + cardinality($1::int8[]))::text) FROM head"},
      // NOTIFY is delivered at COMMIT, to every LISTENing replica.
      {"publish_head",
       "WITH moved AS (UPDATE $S.store_meta SET value = $1::int8 WHERE key = 'head') "
       "SELECT pg_notify($2::text, $1::int8::text)"},
      {"read_head", "SELECT value FROM $S.store_meta WHERE key = 'head'"},
      {"read_range",
       "SELECT position, group_end, schema_version, payload FROM $S.events "
       "WHERE position > $1::int8 AND position <= $2::int8 ORDER BY position"},
      {"read_account",
       "SELECT position, group_end, schema_version, payload FROM $S.events "
       "WHERE account_id = $1::text AND version > $2::int8 ORDER BY version"},
      // Each account's events above its version in $2, each read through
      // the (account_id, version) index: as a plain join, the planner hashed
      // a sequential scan of the table once a commit had ~30 accounts (its
      // estimate of `version > x` is a third of an account's rows), and the
      // ORDER BY keeps the subquery from being pulled up into one.
      {"read_accounts_after",
       "SELECT e.position, e.group_end, e.schema_version, e.payload "
       "FROM unnest($1::text[], $2::int8[]) AS a(id, after_version) "
       "CROSS JOIN LATERAL (SELECT position, group_end, schema_version, payload FROM $S.events "
       "WHERE account_id = a.id AND version > a.after_version ORDER BY version) e "
       "ORDER BY e.position"},
      {"read_command",
       "SELECT e.position, e.group_end, e.schema_version, e.payload FROM $S.events c "
       "JOIN $S.events e ON e.position BETWEEN c.position AND c.group_end "
       "WHERE c.command_id = $1::text AND c.command_id IS NOT NULL ORDER BY e.position"},
  };
  for (Statement& statement : statements) {
    statement.sql = absl::StrReplaceAll(statement.sql, {{"$S", QuoteIdentifier(schema)}});
  }
  return statements;
}

std::string NotifyChannel(absl::string_view schema) { return absl::StrCat("bank_events_", schema); }

void EventRows::Add(const bank::v1::Event& event, uint64_t group_end, bool first_of_group) {
  position_.push_back(Int8(static_cast<int64_t>(event.position())));
  group_end_.push_back(Int8(static_cast<int64_t>(group_end)));
  account_id_.push_back(event.account_id());
  version_.push_back(Int8(static_cast<int64_t>(event.version())));
  if (first_of_group && !event.command_id().empty()) {
    command_id_.push_back(event.command_id());
  } else {
    command_id_.push_back(std::nullopt);
  }
  recorded_at_.push_back(TimestampFromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.recorded_at())));
  principal_.push_back(event.principal());
  schema_version_.push_back(Int2(kCurrentSchemaVersion));
  if (positions_ == Positions::kStored) {
    payload_.push_back(event.SerializeAsString());
  } else {
    bank::v1::Event unplaced = event;
    unplaced.clear_position();
    payload_.push_back(unplaced.SerializeAsString());
  }
}

Params EventRows::ToParams() const {
  Params params;
  params.Add(Array(kInt8Oid, position_))
      .Add(Array(kInt8Oid, group_end_))
      .Add(Array(kTextOid, account_id_))
      .Add(Array(kInt8Oid, version_))
      .Add(Array(kTextOid, command_id_))
      .Add(Array(kTimestampTzOid, recorded_at_))
      .Add(Array(kTextOid, principal_))
      .Add(Array(kInt2Oid, schema_version_))
      .Add(Array(kByteaOid, payload_));
  return params;
}

}  // namespace bank::store::postgres
