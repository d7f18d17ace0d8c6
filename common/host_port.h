#ifndef BANK_COMMON_HOST_PORT_H_
#define BANK_COMMON_HOST_PORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank {

// One network address as the flags take it: HOST:PORT, HOST a name or an
// IPv4 address, or an IPv6 address in brackets ("[::1]:50051"), PORT plain
// decimal digits. Nothing is resolved: an unknown name is found out when
// connecting or binding, not here.
struct HostPort {
  std::string host;  // as written: an IPv6 address keeps its brackets
  uint32_t port = 0;
};

// Parses `address`, whose port must be in `lowest_port`..65535.
// INVALID_ARGUMENT otherwise, starting with `what` (how the message names the
// address, e.g. `address 2 ("x")`): no host, no port, no ':' between them, a
// port out of range, an unbracketed IPv6 host, a stray bracket.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view what, absl::string_view address,
                                       uint32_t lowest_port = 1);

// A server's listening address (`flag`=`value`, e.g. --listen): HOST:PORT,
// where port 0 asks the kernel for a free one.
absl::StatusOr<HostPort> ParseListenAddress(absl::string_view flag, absl::string_view value);

}  // namespace bank

#endif  // BANK_COMMON_HOST_PORT_H_
