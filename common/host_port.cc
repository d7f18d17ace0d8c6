#include "common/host_port.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bank {

absl::StatusOr<HostPort> ParseHostPort(absl::string_view what, absl::string_view address,
                                       uint32_t lowest_port) {
  // HOST, and what follows it: ":PORT", or nothing when the port is missing.
  absl::string_view host = address;
  absl::string_view rest;
  const bool bracketed = !address.empty() && address.front() == '[';
  if (bracketed) {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(what, " opens '[' but never closes it"));
    }
    host = address.substr(0, close + 1);
    rest = address.substr(close + 1);
  } else if (const size_t colon = address.find(':'); colon != absl::string_view::npos) {
    host = address.substr(0, colon);
    rest = address.substr(colon);
  }
  if (!bracketed && rest.find(':', 1) != absl::string_view::npos) {
    // "::1:50051" could mean port 50051 or be an address with no port at all.
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ambiguous; write an IPv6 host in brackets, as [::1]:50051"));
  }
  const absl::string_view bare = bracketed ? host.substr(1, host.size() - 2) : host;
  if (bare.find_first_of("[]") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has a stray bracket; only an IPv6 host is bracketed, as [::1]:50051"));
  }
  if (host.empty() || host == "[]") {
    return absl::InvalidArgumentError(absl::StrCat(what, " has no host; expected HOST:PORT"));
  }
  if (rest.empty() || rest == ":") {
    return absl::InvalidArgumentError(absl::StrCat(what, " has no port; expected HOST:PORT"));
  }
  if (rest.front() != ':') {
    return absl::InvalidArgumentError(absl::StrCat(what, " has no ':' between HOST and PORT"));
  }
  const absl::string_view port = rest.substr(1);
  // SimpleAtoi would take "+80"; a port is plain digits.
  uint32_t number = 0;
  const bool digits = port.find_first_not_of("0123456789") == absl::string_view::npos;
  if (!digits || port.size() > 5 || !absl::SimpleAtoi(port, &number) || number < lowest_port ||
      number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": port \"", port, "\" is not a number in ", lowest_port, "..65535"));
  }
  return HostPort{.host = std::string(host), .port = number};
}

absl::StatusOr<HostPort> ParseListenAddress(absl::string_view flag, absl::string_view value) {
  return ParseHostPort(absl::StrCat(flag, "=", value), value, /*lowest_port=*/0);
}

}  // namespace bank
