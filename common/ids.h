#ifndef BANK_COMMON_IDS_H_
#define BANK_COMMON_IDS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank {

// The contract's id rules, shared by both services: an account id matches
// ^[A-Za-z0-9._:-]{1,64}$, a command id ^[A-Za-z0-9._:-]{1,128}$.
bool IsValidAccountId(absl::string_view account_id);
bool IsValidCommandId(absl::string_view command_id);

// OK, or INVALID_ARGUMENT naming the rule and the request's `field`.
absl::Status ValidateAccountId(absl::string_view account_id,
                               absl::string_view field = "account_id");
// An empty command id (no idempotency key) is valid.
absl::Status ValidateOptionalCommandId(absl::string_view command_id);

}  // namespace bank

#endif  // BANK_COMMON_IDS_H_
