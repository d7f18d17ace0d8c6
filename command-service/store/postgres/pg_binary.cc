#include "command-service/store/postgres/pg_binary.h"

namespace bank::store::postgres {
namespace {

void AppendBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian(const char* data, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01.
constexpr int64_t kPostgresEpochUnixMicros = 946684800LL * 1000000;

}  // namespace

std::string Int8(int64_t value) {
  std::string out;
  AppendBigEndian(static_cast<uint64_t>(value), 8, &out);
  return out;
}

std::string Int2(int16_t value) {
  std::string out;
  AppendBigEndian(static_cast<uint16_t>(value), 2, &out);
  return out;
}

std::string TimestampFromUnixMicros(int64_t unix_micros) {
  return Int8(unix_micros - kPostgresEpochUnixMicros);
}

std::string Array(Oid element_type, const std::vector<std::optional<std::string>>& elements) {
  // array_send: ndim, has-nulls flag, element type; per dimension its size
  // and lower bound; then each element's length (-1: NULL) and bytes.
  std::string out;
  bool has_null = false;
  for (const std::optional<std::string>& element : elements) has_null |= !element.has_value();
  AppendBigEndian(1, 4, &out);
  AppendBigEndian(has_null ? 1 : 0, 4, &out);
  AppendBigEndian(element_type, 4, &out);
  AppendBigEndian(elements.size(), 4, &out);
  AppendBigEndian(1, 4, &out);
  for (const std::optional<std::string>& element : elements) {
    if (!element.has_value()) {
      AppendBigEndian(0xffffffffu, 4, &out);
      continue;
    }
    AppendBigEndian(element->size(), 4, &out);
    out += *element;
  }
  return out;
}

int64_t GetInt8(const PGresult* result, int row, int column) {
  return static_cast<int64_t>(ReadBigEndian(PQgetvalue(result, row, column), 8));
}

int16_t GetInt2(const PGresult* result, int row, int column) {
  return static_cast<int16_t>(ReadBigEndian(PQgetvalue(result, row, column), 2));
}

absl::string_view GetBytes(const PGresult* result, int row, int column) {
  return absl::string_view(PQgetvalue(result, row, column),
                           static_cast<size_t>(PQgetlength(result, row, column)));
}

}  // namespace bank::store::postgres
