#ifndef BANK_COMMON_EVENT_FORMAT_H_
#define BANK_COMMON_EVENT_FORMAT_H_

#include <string>

#include "bank/v1/event.pb.h"
#include "bank/v1/query_service.pb.h"

namespace bank {

// How events and transactions print, for people or one JSON object per line
// (--json): the words bankctl's `watch` and `history` and bank-log's `dump`
// share, so a line means the same whichever program printed it. Every Format*
// function is pure and returns one line without its newline; the exact shapes
// are a promise to scripts (tools/bankctl/README.md).
enum class Format { kHuman, kJson };

// One transaction of `history`:
// "version 2, position 5: withdrawal 40, balance after 60, command_id c-2, at 2024-...Z".
std::string FormatTransaction(const bank::v1::Transaction& transaction, Format format);

// One event: "position 5, acc1 version 2: withdrawal 40, command_id c-2, at ...".
std::string FormatEvent(const bank::v1::Event& event, Format format);

}  // namespace bank

#endif  // BANK_COMMON_EVENT_FORMAT_H_
