#ifndef BANK_QUERY_SERVICE_PAGE_TOKEN_H_
#define BANK_QUERY_SERVICE_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::query {

// Paging rules shared by ListAccounts and GetHistory.
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// 0 -> kDefaultPageSize; above kMaxPageSize -> kMaxPageSize (clamped, as
// AIP-158 suggests: a client asking for "a lot" gets the most we give);
// negative -> INVALID_ARGUMENT.
absl::StatusOr<int> EffectivePageSize(int32_t requested);

// Opaque, keyset page tokens: the last key of the previous page, so a page
// never skips or repeats rows when accounts are added between calls (unlike
// OFFSET). The bytes are a format version, a kind tag, the key and a CRC32C of
// them, in URL-safe base64. Decode*() returns INVALID_ARGUMENT for anything a
// server of this version did not make for that request: garbage, a tampered
// token, a history token of another account, an accounts token passed to
// GetHistory. An empty token means "first page" and is handled by callers.

std::string EncodeAccountsToken(absl::string_view last_account_id);
// The last account id of the previous page.
absl::StatusOr<std::string> DecodeAccountsToken(absl::string_view token);

std::string EncodeHistoryToken(absl::string_view account_id, uint64_t last_version);
// The last version of the previous page of `account_id`'s history.
absl::StatusOr<uint64_t> DecodeHistoryToken(absl::string_view token, absl::string_view account_id);

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_PAGE_TOKEN_H_
