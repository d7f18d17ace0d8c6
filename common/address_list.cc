#include "common/address_list.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bank {
namespace {

// The item's place in the list, for messages: "address 2 (\"b\")".
std::string Item(size_t index, absl::string_view item) {
  return absl::StrCat("address ", index + 1, " (\"", item, "\")");
}

absl::Status CheckAddress(size_t index, absl::string_view item) {
  if (item.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("address ", index + 1, " is empty; expected HOST:PORT[,HOST:PORT...]"));
  }
  // HOST, and what follows it: ":PORT", or nothing when the port is missing.
  absl::string_view host = item;
  absl::string_view rest;
  if (item.front() == '[') {
    const size_t close = item.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(Item(index, item), " opens '[' but never closes it"));
    }
    host = item.substr(0, close + 1);
    rest = item.substr(close + 1);
  } else if (const size_t colon = item.find(':'); colon != absl::string_view::npos) {
    host = item.substr(0, colon);
    rest = item.substr(colon);
  }
  const bool bracketed = item.front() == '[';
  if (!bracketed && rest.find(':', 1) != absl::string_view::npos) {
    // "::1:50051" could mean port 50051 or be an address with no port at all.
    return absl::InvalidArgumentError(absl::StrCat(
        Item(index, item), " is ambiguous; write an IPv6 host in brackets, as [::1]:50051"));
  }
  const absl::string_view bare = bracketed ? host.substr(1, host.size() - 2) : host;
  if (bare.find_first_of("[]") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        Item(index, item), " has a stray bracket; only an IPv6 host is bracketed, as [::1]:50051"));
  }
  if (host.empty() || host == "[]") {
    return absl::InvalidArgumentError(
        absl::StrCat(Item(index, item), " has no host; expected HOST:PORT"));
  }
  if (rest.empty() || rest == ":") {
    return absl::InvalidArgumentError(
        absl::StrCat(Item(index, item), " has no port; expected HOST:PORT"));
  }
  if (rest.front() != ':') {
    return absl::InvalidArgumentError(
        absl::StrCat(Item(index, item), " has no ':' between HOST and PORT"));
  }
  const absl::string_view port = rest.substr(1);
  // SimpleAtoi would take "+80"; a port is plain digits.
  uint32_t number = 0;
  const bool digits = port.find_first_not_of("0123456789") == absl::string_view::npos;
  if (!digits || port.size() > 5 || !absl::SimpleAtoi(port, &number) || number < 1 ||
      number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(Item(index, item), ": port \"", port, "\" is not a number in 1..65535"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseAddressList(absl::string_view list) {
  if (list.empty()) {
    return absl::InvalidArgumentError(
        "the address list is empty; expected HOST:PORT[,HOST:PORT...]");
  }
  for (const char c : list) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the address list \"", list, "\" contains whitespace; separate replicas with ',' only"));
    }
  }
  std::vector<std::string> addresses = absl::StrSplit(list, ',');
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (absl::Status checked = CheckAddress(i, addresses[i]); !checked.ok()) return checked;
  }
  return addresses;
}

}  // namespace bank
