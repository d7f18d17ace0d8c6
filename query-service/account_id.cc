#include "query-service/account_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace bank::query {

constexpr size_t kMaxAccountIdLength = 64;

bool IsValidAccountId(absl::string_view account_id) {
  if (account_id.empty() || account_id.size() > kMaxAccountIdLength) return false;
  for (char c : account_id) {
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                    c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateAccountId(absl::string_view account_id) {
  if (IsValidAccountId(account_id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "account_id must match ^[A-Za-z0-9._:-]{1,64}$ (got ", account_id.size(), " bytes)"));
}

}  // namespace bank::query
