#ifndef BANK_TESTS_SUPPORT_TEST_POSTGRES_H_
#define BANK_TESTS_SUPPORT_TEST_POSTGRES_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "command-service/store/postgres/pg_connection.h"

namespace bank::testing {

// The PostgreSQL server the tests use: scripts/test.sh starts a throw-away
// cluster (scripts/postgres-cluster.sh) and exports its URI as
// BANK_TEST_POSTGRES_URI. Empty when it is not set: the PostgreSQL tests then
// skip, saying so.
std::optional<std::string> TestPostgresUri();

// A schema name no other test (in this process or another) uses:
// `prefix`_<pid>_<n>.
std::string FreshSchemaName(absl::string_view prefix);

// A connection to the test server as its superuser.
absl::StatusOr<std::unique_ptr<store::postgres::Connection>> AdminConnection();

// Returns once a connection named `application_name` waits for a lock
// (pg_stat_activity), or DEADLINE_EXCEEDED after a minute.
absl::Status WaitUntilWaitingForALock(absl::string_view application_name);

// Runs `sql` on the test server as its superuser.
absl::Status RunSql(const std::string& sql);

// Drops `schema` and everything in it.
absl::Status DropSchema(absl::string_view schema);

// Ends the server process of every connection whose application_name is
// `application_name` (pg_terminate_backend) and returns once they are gone:
// a dropped connection, as a network failure or a server restart makes one.
absl::Status TerminateConnections(absl::string_view application_name);

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_TEST_POSTGRES_H_
