#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_BINARY_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_BINARY_H_

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bank::store::postgres {

// PostgreSQL's binary wire format for the few types the store uses
// (src/backend/utils/adt/*.c, the *_send and *_recv functions): integers in
// network byte order, text and bytea as their bytes, timestamptz as int8
// microseconds since 2000-01-01 UTC, and one-dimensional arrays.

std::string Int8(int64_t value);
std::string Int2(int16_t value);

// The microseconds since the Unix epoch as a binary timestamptz.
std::string TimestampFromUnixMicros(int64_t unix_micros);

// A one-dimensional array of `element_type` (an OID below) with the given
// elements, each already in its binary form; std::nullopt is SQL NULL.
std::string Array(Oid element_type, const std::vector<std::optional<std::string>>& elements);

inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kInt2Oid = 21;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kTimestampTzOid = 1184;

// Binary result fields. The caller knows the column's type from the SQL.
int64_t GetInt8(const PGresult* result, int row, int column);
int16_t GetInt2(const PGresult* result, int row, int column);
absl::string_view GetBytes(const PGresult* result, int row, int column);

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_PG_BINARY_H_
