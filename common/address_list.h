#ifndef BANK_COMMON_ADDRESS_LIST_H_
#define BANK_COMMON_ADDRESS_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank {

// Parses a --command_service value: one HOST:PORT, or several replicas of the
// same service comma-separated ("10.0.0.1:50051,10.0.0.2:50051"), in the
// order given. HOST is a name or an IPv4 address, or an IPv6 address in
// brackets ("[::1]:50051"); PORT is a decimal number in 1..65535. Duplicates
// are kept: following the same replica twice per round is odd but harmless.
//
// Returns INVALID_ARGUMENT, naming the offending item and its place in the
// list, for an empty list, an empty item (",," or a trailing comma),
// whitespace anywhere, an item with no host or no port, a port that is not a
// number in 1..65535, or an IPv6 host without brackets. Nothing is resolved:
// an unknown name is found out when connecting, not here.
absl::StatusOr<std::vector<std::string>> ParseAddressList(absl::string_view list);

}  // namespace bank

#endif  // BANK_COMMON_ADDRESS_LIST_H_
