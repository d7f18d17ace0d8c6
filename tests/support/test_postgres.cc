#include "tests/support/test_postgres.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "command-service/store/postgres/pg_binary.h"
#include "command-service/store/postgres/pg_connection.h"

namespace bank::testing {
namespace {

using store::postgres::Connection;
using store::postgres::Params;
using store::postgres::QuoteIdentifier;
using store::postgres::Result;

// Polls `count_sql` (one int8, one text parameter) until it is not 0.
absl::Status WaitForCount(Connection& admin, const std::string& count_sql,
                          absl::string_view application_name, bool until_zero) {
  if (absl::Status prepared = admin.Prepare({{"wait_count", count_sql}}); !prepared.ok()) {
    return prepared;
  }
  const Params name = Params().Add(std::string(application_name));
  for (int polls = 0; polls < 12000; ++polls) {
    absl::StatusOr<Result> counted = admin.Execute("wait_count", name);
    if (!counted.ok()) return counted.status();
    if ((store::postgres::GetInt8(counted->get(), 0, 0) == 0) == until_zero) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::DeadlineExceededError(absl::StrCat("waited a minute on ", application_name));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> AdminConnection() {
  std::optional<std::string> uri = TestPostgresUri();
  if (!uri.has_value()) return absl::FailedPreconditionError("BANK_TEST_POSTGRES_URI is not set");
  absl::StatusOr<std::unique_ptr<Connection>> admin =
      Connection::Open({.uri = *uri, .application_name = "bank-tests:admin"});
  // DROP ... CASCADE's NOTICEs are no news to a test.
  if (admin.ok()) (void)(*admin)->ExecuteSql("SET client_min_messages TO warning");
  return admin;
}

absl::Status WaitUntilWaitingForALock(absl::string_view application_name) {
  absl::StatusOr<std::unique_ptr<Connection>> admin = AdminConnection();
  if (!admin.ok()) return admin.status();
  return WaitForCount(**admin,
                      "SELECT count(*) FROM pg_stat_activity "
                      "WHERE application_name = $1::text AND wait_event_type = 'Lock'",
                      application_name, /*until_zero=*/false);
}

std::optional<std::string> TestPostgresUri() {
  const char* uri = std::getenv("BANK_TEST_POSTGRES_URI");
  if (uri == nullptr || *uri == '\0') return std::nullopt;
  return std::string(uri);
}

std::string FreshSchemaName(absl::string_view prefix) {
  static std::atomic<int> count{0};
  return absl::StrCat(prefix, "_", getpid(), "_", count.fetch_add(1));
}

absl::Status RunSql(const std::string& sql) {
  absl::StatusOr<std::unique_ptr<Connection>> admin = AdminConnection();
  if (!admin.ok()) return admin.status();
  return (*admin)->ExecuteSql(sql).status();
}

absl::Status DropSchema(absl::string_view schema) {
  return RunSql(absl::StrCat("DROP SCHEMA IF EXISTS ", QuoteIdentifier(schema), " CASCADE"));
}

absl::Status TerminateConnections(absl::string_view application_name) {
  absl::StatusOr<std::unique_ptr<Connection>> admin = AdminConnection();
  if (!admin.ok()) return admin.status();
  absl::Status prepared =
      (*admin)->Prepare({{"terminate",
                          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "application_name = $1::text"}});
  if (!prepared.ok()) return prepared;
  if (absl::StatusOr<Result> ended =
          (*admin)->Execute("terminate", Params().Add(std::string(application_name)));
      !ended.ok()) {
    return ended.status();
  }
  // pg_terminate_backend only signals the process.
  return WaitForCount(**admin,
                      "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1::text",
                      application_name, /*until_zero=*/true);
}

}  // namespace bank::testing
