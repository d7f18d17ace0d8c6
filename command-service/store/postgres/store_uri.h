#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_URI_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_URI_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank::store::postgres {

// True when --store names PostgreSQL: a postgresql:// or postgres:// URI.
bool IsPostgresUri(absl::string_view store_flag);

// `uri` with its password, in the user info or as a `password` parameter,
// replaced by ****: the form of a URI that may reach a log line or an error.
std::string MaskPassword(absl::string_view uri);

// OK when libpq can parse `uri`; INVALID_ARGUMENT saying what is wrong
// otherwise, with the URI masked.
absl::Status ValidateUri(const std::string& uri);

// OK for a schema name this store will use unquoted in its messages and
// quoted in its SQL: [a-z_][a-z0-9_]*, at most 63 bytes (PostgreSQL's
// identifier limit); INVALID_ARGUMENT naming the rule otherwise.
absl::Status ValidateSchemaName(absl::string_view schema);

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_STORE_URI_H_
