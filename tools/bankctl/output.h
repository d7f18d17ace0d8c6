#ifndef BANK_TOOLS_BANKCTL_OUTPUT_H_
#define BANK_TOOLS_BANKCTL_OUTPUT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/v1/command_service.pb.h"
#include "bank/v1/query_service.pb.h"
#include "common/event_format.h"

namespace bank::bankctl {

// How results are printed: for people, or one JSON object per line (--json),
// as events and transactions are (common/event_format.h). Every Format*
// function is pure and returns one line without its newline; the exact shapes
// are documented in usage.cc and tools/bankctl/README.md.

// deposit, withdraw: "acc1: balance 60, version 2, position 2".
std::string FormatCommandReply(const bank::v1::CommandReply& reply, Format format);

// balance: "acc1: balance 60 (version 2, last position 2, as of position 2)".
std::string FormatBalance(const bank::v1::AccountBalance& balance, Format format);

// One account of `accounts`: "acc1: balance 60 (version 2, last position 2)".
std::string FormatAccount(const bank::v1::AccountBalance& account, Format format);

// A `watch` heartbeat (a message with no events): nothing (empty) for people,
// {"heartbeat":true,"head_position":N} in JSON.
std::string FormatHeartbeat(uint64_t head_position, Format format);

// One service of `health`: "command 127.0.0.1:50051: SERVING".
std::string FormatHealth(absl::string_view service, absl::string_view address,
                         absl::string_view status, Format format);

// A refusal or failure, for stderr in both formats: "FAILED_PRECONDITION: message".
std::string FormatError(const absl::Status& status);

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_OUTPUT_H_
