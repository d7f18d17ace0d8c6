#include "common/ids.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace bank {
namespace {

constexpr size_t kMaxAccountIdLength = 64;
constexpr size_t kMaxCommandIdLength = 128;

bool IsIdCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
         c == '-';
}

bool IsValidId(absl::string_view id, size_t max_length) {
  return !id.empty() && id.size() <= max_length && std::all_of(id.begin(), id.end(), IsIdCharacter);
}

}  // namespace

bool IsValidAccountId(absl::string_view account_id) {
  return IsValidId(account_id, kMaxAccountIdLength);
}

bool IsValidCommandId(absl::string_view command_id) {
  return IsValidId(command_id, kMaxCommandIdLength);
}

absl::Status ValidateAccountId(absl::string_view account_id, absl::string_view field) {
  if (IsValidAccountId(account_id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " must match ^[A-Za-z0-9._:-]{1,64}$ (got ",
                                                 account_id.size(), " bytes)"));
}

absl::Status ValidateOptionalCommandId(absl::string_view command_id) {
  if (command_id.empty() || IsValidCommandId(command_id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("command_id must be empty or match ^[A-Za-z0-9._:-]{1,128}$ (got ",
                   command_id.size(), " bytes)"));
}

}  // namespace bank
