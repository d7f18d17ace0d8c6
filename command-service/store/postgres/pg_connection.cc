#include "command-service/store/postgres/pg_connection.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace bank::store::postgres {
namespace {

// libpq's message, one line, trimmed.
std::string Describe(absl::string_view message) {
  std::string line = absl::StrReplaceAll(absl::StripAsciiWhitespace(message), {{"\n", "; "}});
  return line.empty() ? "no message from libpq" : line;
}

// The server's notices and warnings (a ROLLBACK outside a transaction, say)
// go to the service's log: libpq's own default prints them to stderr, where
// a bare line would break --log_format=json.
void LogNotice(void* /*unused*/, const char* message) {
  spdlog::warn("PostgreSQL: {}", Describe(message));
}

// SQLSTATE classes that mean "not now" rather than "never": connection
// exceptions (08), operator intervention such as a shutdown or a standby not
// yet promoted (57), insufficient resources (53), a read-only transaction on
// a server that is (still) a standby (25006), and serialization failures and
// deadlocks (40) a retry resolves.
bool IsTransient(absl::string_view sqlstate) {
  return absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57") ||
         absl::StartsWith(sqlstate, "53") || absl::StartsWith(sqlstate, "40") ||
         sqlstate == "25006";
}

}  // namespace

Params& Params::Add(std::string binary_value) {
  lengths_.push_back(static_cast<int>(binary_value.size()));
  values_.push_back(std::move(binary_value));
  null_.push_back(false);
  formats_.push_back(1);
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back();
  null_.push_back(true);
  lengths_.push_back(0);
  formats_.push_back(1);
  return *this;
}

const char* const* Params::values() const {
  pointers_.clear();
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(null_[i] ? nullptr : values_[i].data());
  }
  return pointers_.data();
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectTarget& target) {
  // Our defaults first, so that the URI's own settings override them, and
  // chosen for failover to a standby listed after a primary whose machine is
  // gone, answering nothing. A connect to it must end soon, since libpq tries
  // the next host only then (2 s: libpq's least). A connection to it must be
  // found dead in seconds, not in TCP's minutes: a commit's unacknowledged
  // bytes after 10 s (tcp_user_timeout), an idle or waiting connection after
  // 5 s of silence and three unanswered probes 2 s apart (keepalives). The
  // role is named in pg_stat_activity.
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {
      "2", "5", "2", "3", "10000", target.application_name.c_str(), target.uri.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  auto connection = std::unique_ptr<Connection>(new Connection(raw));
  PQsetNoticeProcessor(raw, LogNotice, nullptr);
  if (PQstatus(raw) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL: ", Describe(PQerrorMessage(raw))));
  }
  // Every statement of the store is written for an index (store_sql.cc). A
  // plan costed on statistics of a small table, generic or not, scans it
  // sequentially; kept as a generic plan while the table grows, that cost
  // per commit grows with the store. So scans of a whole table are off.
  if (absl::StatusOr<Result> set =
          connection->ExecuteSql("SET enable_seqscan TO off; SET enable_bitmapscan TO off");
      !set.ok()) {
    return set.status();
  }
  return connection;
}

absl::Status Connection::Prepare(const std::vector<Statement>& statements) {
  for (const Statement& statement : statements) {
    absl::StatusOr<Result> prepared =
        Checked(PQprepare(conn_, statement.name, statement.sql.c_str(), 0, nullptr));
    if (!prepared.ok()) {
      return absl::Status(prepared.status().code(),
                          absl::StrCat("cannot prepare statement ", statement.name, ": ",
                                       prepared.status().message()));
    }
  }
  return absl::OkStatus();
}

bool Connection::StillOpen() {
  if (broken()) return false;
  // Nothing is due on an idle connection but notices and the server's
  // goodbye (an error message, then the end of the stream): read what is
  // there until the socket is quiet or the end shows.
  for (int reads = 0; reads < 8; ++reads) {
    pollfd readable = {.fd = socket(), .events = POLLIN, .revents = 0};
    if (poll(&readable, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) return false;
  }
  return !broken();
}

absl::StatusOr<Result> Connection::Execute(absl::string_view statement, const Params& params) {
  const std::string name(statement);
  return Checked(PQexecPrepared(conn_, name.c_str(), params.count(), params.values(),
                                params.lengths(), params.formats(), /*resultFormat=*/1));
}

absl::StatusOr<std::vector<Result>> Connection::ExecuteAll(const std::vector<Call>& calls) {
  if (PQenterPipelineMode(conn_) == 0) return SendFailed();
  for (const Call& call : calls) {
    if (PQsendQueryPrepared(conn_, call.statement, call.params.count(), call.params.values(),
                            call.params.lengths(), call.params.formats(),
                            /*resultFormat=*/1) == 0) {
      return SendFailed();
    }
  }
  if (PQpipelineSync(conn_) == 0) return SendFailed();
  // Each call's result (after a failed one, PGRES_PIPELINE_ABORTED), each
  // followed by a null, then the sync's: all read before the pipeline ends.
  std::vector<Result> results;
  absl::Status first_error;
  int nulls_in_a_row = 0;
  for (;;) {
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) {
      // The end of one call's results; twice in a row, nothing is coming.
      if (broken() || ++nulls_in_a_row > 1) return first_error.ok() ? SendFailed() : first_error;
      continue;
    }
    nulls_in_a_row = 0;
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_PIPELINE_SYNC || status == PGRES_PIPELINE_ABORTED) {
      PQclear(raw);
      if (status == PGRES_PIPELINE_SYNC) break;
    } else if (absl::StatusOr<Result> result = Checked(raw); !result.ok()) {
      if (first_error.ok()) first_error = result.status();
    } else {
      results.push_back(*std::move(result));
    }
  }
  if (PQexitPipelineMode(conn_) == 0) return first_error.ok() ? SendFailed() : first_error;
  if (!first_error.ok()) return first_error;
  if (results.size() != calls.size()) {
    return absl::InternalError(absl::StrCat("PostgreSQL answered ", results.size(), " of ",
                                            calls.size(), " statements sent together"));
  }
  return results;
}

absl::Status Connection::SendFailed() {
  return absl::UnavailableError(
      absl::StrCat("lost the connection to PostgreSQL: ", Describe(PQerrorMessage(conn_))));
}

absl::StatusOr<Result> Connection::ExecuteSql(const std::string& sql) {
  return Checked(PQexec(conn_, sql.c_str()));
}

absl::StatusOr<Result> Connection::Checked(PGresult* raw_result) {
  Result result(raw_result);
  const ExecStatusType status =
      result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  if (result == nullptr || broken()) {
    return absl::UnavailableError(
        absl::StrCat("lost the connection to PostgreSQL: ", Describe(PQerrorMessage(conn_))));
  }
  const char* sqlstate_field = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  const absl::string_view sqlstate = sqlstate_field == nullptr ? "" : sqlstate_field;
  const std::string message =
      absl::StrCat("PostgreSQL: ", Describe(PQresultErrorMessage(result.get())));
  if (sqlstate == "23505") return absl::AbortedError(message);  // unique_violation
  if (IsTransient(sqlstate)) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

std::string QuoteIdentifier(absl::string_view identifier) {
  return absl::StrCat("\"", absl::StrReplaceAll(identifier, {{"\"", "\"\""}}), "\"");
}

}  // namespace bank::store::postgres
