#ifndef BANK_QUERY_SERVICE_ACCOUNT_ID_H_
#define BANK_QUERY_SERVICE_ACCOUNT_ID_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank::query {

// The contract's account id rule: ^[A-Za-z0-9._:-]{1,64}$.
bool IsValidAccountId(absl::string_view account_id);

// OK, or INVALID_ARGUMENT naming the rule.
absl::Status ValidateAccountId(absl::string_view account_id);

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_ACCOUNT_ID_H_
