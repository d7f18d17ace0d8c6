#include "query-service/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/ids.h"

namespace bank::query {
namespace {

constexpr char kFormatVersion = 1;
constexpr char kAccountsKind = 'A';
constexpr char kHistoryKind = 'H';
constexpr size_t kCrcBytes = 4;

void AppendFixed(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t ReadFixed(absl::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

std::string Seal(char kind, absl::string_view payload) {
  std::string raw;
  raw.push_back(kFormatVersion);
  raw.push_back(kind);
  raw.append(payload.data(), payload.size());
  AppendFixed(raw, Crc32c(std::string_view(raw.data(), raw.size())), kCrcBytes);
  return absl::WebSafeBase64Escape(raw);
}

absl::Status BadToken() { return absl::InvalidArgumentError("page_token is not valid here"); }

// The payload of a token of `kind`, or INVALID_ARGUMENT.
absl::StatusOr<std::string> Open(absl::string_view token, char kind) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 2 + kCrcBytes) return BadToken();
  const size_t body = raw.size() - kCrcBytes;
  const uint32_t crc = static_cast<uint32_t>(ReadFixed(absl::string_view(raw).substr(body), 4));
  if (crc != Crc32c(std::string_view(raw.data(), body)) || raw[0] != kFormatVersion ||
      raw[1] != kind) {
    return BadToken();
  }
  return raw.substr(2, body - 2);
}

}  // namespace

absl::StatusOr<int> EffectivePageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must not be negative (got ", requested, ")"));
  }
  if (requested == 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

std::string EncodeAccountsToken(absl::string_view last_account_id) {
  return Seal(kAccountsKind, last_account_id);
}

absl::StatusOr<std::string> DecodeAccountsToken(absl::string_view token) {
  absl::StatusOr<std::string> payload = Open(token, kAccountsKind);
  if (!payload.ok()) return payload.status();
  if (!IsValidAccountId(*payload)) return BadToken();
  return payload;
}

std::string EncodeHistoryToken(absl::string_view account_id, uint64_t last_version) {
  std::string payload;
  AppendFixed(payload, last_version, 8);
  payload.append(account_id.data(), account_id.size());
  return Seal(kHistoryKind, payload);
}

absl::StatusOr<uint64_t> DecodeHistoryToken(absl::string_view token, absl::string_view account_id) {
  absl::StatusOr<std::string> payload = Open(token, kHistoryKind);
  if (!payload.ok()) return payload.status();
  if (payload->size() < 8 || absl::string_view(*payload).substr(8) != account_id) {
    return BadToken();
  }
  return ReadFixed(*payload, 8);
}

}  // namespace bank::query
