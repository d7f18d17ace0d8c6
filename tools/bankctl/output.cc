#include "tools/bankctl/output.h"

#include "absl/strings/str_cat.h"
#include "common/json.h"

namespace bank::bankctl {

std::string FormatCommandReply(const bank::v1::CommandReply& reply, Format format) {
  if (format == Format::kJson) {
    return JsonObject()
        .Add("account_id", reply.account_id())
        .Add("balance", reply.balance())
        .Add("version", reply.version())
        .Add("position", reply.position())
        .Build();
  }
  return absl::StrCat(reply.account_id(), ": balance ", reply.balance(), ", version ",
                      reply.version(), ", position ", reply.position());
}

std::string FormatBalance(const bank::v1::AccountBalance& balance, Format format) {
  if (format == Format::kJson) {
    return JsonObject()
        .Add("account_id", balance.account_id())
        .Add("balance", balance.balance())
        .Add("version", balance.version())
        .Add("last_position", balance.last_position())
        .Add("as_of_position", balance.as_of_position())
        .Build();
  }
  return absl::StrCat(balance.account_id(), ": balance ", balance.balance(), " (version ",
                      balance.version(), ", last position ", balance.last_position(),
                      ", as of position ", balance.as_of_position(), ")");
}

std::string FormatAccount(const bank::v1::AccountBalance& account, Format format) {
  // JSON keeps every field so a line of `accounts` parses like `balance`.
  if (format == Format::kJson) return FormatBalance(account, format);
  return absl::StrCat(account.account_id(), ": balance ", account.balance(), " (version ",
                      account.version(), ", last position ", account.last_position(), ")");
}

std::string FormatHeartbeat(uint64_t head_position, Format format) {
  if (format == Format::kHuman) return "";
  return JsonObject().Add("heartbeat", true).Add("head_position", head_position).Build();
}

std::string FormatHealth(absl::string_view service, absl::string_view address,
                         absl::string_view status, Format format) {
  if (format == Format::kJson) {
    return JsonObject()
        .Add("service", service)
        .Add("address", address)
        .Add("status", status)
        .Build();
  }
  return absl::StrCat(service, " ", address, ": ", status);
}

std::string FormatError(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

}  // namespace bank::bankctl
