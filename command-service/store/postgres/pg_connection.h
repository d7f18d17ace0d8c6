#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_CONNECTION_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::store::postgres {

// A thin owner of one libpq connection, and the only file besides
// pg_binary.{h,cc} that speaks libpq: statements are prepared once per
// connection and run with binary parameters and binary results, so no value
// is ever spliced into SQL text.

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// One statement's parameters, every one in binary format (pg_binary.h
// encodes them). A null parameter is std::nullopt's equivalent: AddNull().
class Params {
 public:
  Params& Add(std::string binary_value);
  Params& AddNull();

  int count() const { return static_cast<int>(values_.size()); }
  // libpq's arrays; valid while this Params lives and is not changed.
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> pointers_;
};

struct Statement {
  const char* name;
  std::string sql;
};

// A prepared statement to run with its parameters, one of several sent at
// once (Connection::ExecuteAll).
struct Call {
  const char* statement;
  Params params;
};

// Where to connect and as whom; the URI is libpq's (several hosts allowed).
struct ConnectTarget {
  std::string uri;
  std::string application_name;  // shown in pg_stat_activity
};

class Connection {
 public:
  // Connects. UNAVAILABLE when the server cannot be reached or refuses the
  // connection for now; libpq's message names the host, never the password.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectTarget& target);
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepares `statements` for Execute().
  absl::Status Prepare(const std::vector<Statement>& statements);

  // Runs a prepared statement. Errors by kind (see StatusOf): UNAVAILABLE
  // when the connection is lost or the server cannot serve for now, ABORTED
  // on a unique violation, INTERNAL otherwise.
  absl::StatusOr<Result> Execute(absl::string_view statement, const Params& params);
  // Runs `calls` in order in one round trip (libpq's pipeline mode): their
  // results in order, or the first error (the calls after a failed one are
  // not run). Inside an explicit transaction, that is as if run one by one.
  absl::StatusOr<std::vector<Result>> ExecuteAll(const std::vector<Call>& calls);
  // Runs SQL without parameters (BEGIN, COMMIT, DDL); its rows, if any, in
  // text format.
  absl::StatusOr<Result> ExecuteSql(const std::string& sql);

  // The connection is gone: drop it and open another.
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // False when an idle connection has been closed by the server meanwhile (a
  // restart, a failover, pg_terminate_backend): checked without waiting, so
  // that a commit does not fail on a connection that died while idle.
  bool StillOpen();
  int socket() const { return PQsocket(conn_); }
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  absl::StatusOr<Result> Checked(PGresult* result);
  // What ExecuteAll's sending failed with.
  absl::Status SendFailed();

  PGconn* conn_;
};

// `identifier` quoted for SQL (PQescapeIdentifier's rules, without a
// connection: double quotes doubled).
std::string QuoteIdentifier(absl::string_view identifier);

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_CONNECTION_H_
