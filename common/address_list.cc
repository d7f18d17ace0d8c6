#include "common/address_list.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/host_port.h"

namespace bank {
namespace {

// The item's place in the list, for messages: "address 2 (\"b\")".
std::string Item(size_t index, absl::string_view item) {
  return absl::StrCat("address ", index + 1, " (\"", item, "\")");
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
    if (addresses[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("address ", i + 1, " is empty; expected HOST:PORT[,HOST:PORT...]"));
    }
    if (absl::StatusOr<HostPort> checked = ParseHostPort(Item(i, addresses[i]), addresses[i]);
        !checked.ok()) {
      return checked.status();
    }
  }
  return addresses;
}

}  // namespace bank
