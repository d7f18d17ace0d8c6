#include "command-service/store/postgres/store_uri.h"

#include <libpq-fe.h>

#include <initializer_list>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace bank::store::postgres {

bool IsPostgresUri(absl::string_view store_flag) {
  return absl::StartsWith(store_flag, "postgresql://") ||
         absl::StartsWith(store_flag, "postgres://");
}

namespace {

// Where the password of the user info is in
// scheme://[user[:password]@]hosts[/db][?params]; npos when there is none.
// The user info ends at the last '@' before the path.
std::pair<size_t, size_t> UserInfoPassword(absl::string_view uri) {
  const size_t authority = uri.find("://");
  if (authority == absl::string_view::npos) return {absl::string_view::npos, 0};
  const size_t start = authority + 3;
  const size_t path = uri.find_first_of("/?", start);
  const size_t at = uri.substr(0, path).rfind('@');
  const size_t colon = uri.find(':', start);
  if (at == absl::string_view::npos || at < start || colon == absl::string_view::npos ||
      colon > at) {
    return {absl::string_view::npos, 0};
  }
  return {colon + 1, at - colon - 1};
}

}  // namespace

std::string MaskPassword(absl::string_view uri) {
  std::string masked(uri);
  if (const auto [start, length] = UserInfoPassword(uri); start != absl::string_view::npos) {
    masked.replace(start, length, "****");
  }
  // ...?password=secret&...
  for (size_t key = masked.find("password="); key != std::string::npos;
       key = masked.find("password=", key + 1)) {
    if (key == 0 || (masked[key - 1] != '?' && masked[key - 1] != '&')) continue;
    const size_t value = key + 9;
    const size_t end = masked.find('&', value);
    masked.replace(value, (end == std::string::npos ? masked.size() : end) - value, "****");
  }
  return masked;
}

// What PQconninfoParse takes but a connection would refuse, every time: a
// store that retried it would never serve. Empty when `option` is fine.
std::string CheckOption(const PQconninfoOption& option) {
  if (option.val == nullptr) return "";
  const absl::string_view keyword = option.keyword;
  const absl::string_view value = option.val;
  if (keyword == "port") {
    for (absl::string_view port : absl::StrSplit(value, ',')) {
      int number = 0;
      if (!port.empty() && (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535)) {
        return absl::StrCat("invalid port \"", port, "\"");
      }
    }
  }
  const auto one_of = [&](std::initializer_list<absl::string_view> allowed) -> std::string {
    for (absl::string_view candidate : allowed) {
      if (value == candidate) return "";
    }
    return absl::StrCat("invalid ", keyword, " \"", value, "\" (one of ",
                        absl::StrJoin(allowed, ", "), ")");
  };
  if (keyword == "sslmode") {
    return one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"});
  }
  if (keyword == "target_session_attrs") {
    return one_of({"any", "read-write", "read-only", "primary", "standby", "prefer-standby"});
  }
  return "";
}

absl::Status ValidateUri(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options != nullptr) {
    std::string problem;
    for (const PQconninfoOption* option = options; option->keyword != nullptr && problem.empty();
         ++option) {
      problem = CheckOption(*option);
    }
    PQconninfoFree(options);
    if (problem.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("--store is not a valid PostgreSQL URI (", MaskPassword(uri), "): ", problem));
  }
  std::string reason = error != nullptr ? std::string(absl::StripAsciiWhitespace(error))
                                        : "libpq could not parse it";
  PQfreemem(error);
  // libpq quotes the part it could not parse, which may hold the password.
  if (const auto [start, length] = UserInfoPassword(uri); length > 0) {
    reason = absl::StrReplaceAll(reason, {{uri.substr(start, length), "****"}});
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--store is not a valid PostgreSQL URI (", MaskPassword(uri), "): ", reason));
}

absl::Status ValidateSchemaName(absl::string_view schema) {
  bool valid = !schema.empty() && schema.size() <= 63 &&
               !absl::ascii_isdigit(static_cast<unsigned char>(schema[0]));
  for (char c : schema) {
    valid &= absl::ascii_islower(static_cast<unsigned char>(c)) ||
             absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--store_schema must be a lowercase name of letters, digits and _ that does "
                   "not start with a digit, at most 63 bytes; got \"",
                   schema, "\""));
}

}  // namespace bank::store::postgres
