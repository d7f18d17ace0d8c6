#ifndef BANK_COMMAND_SERVICE_BANK_LOG_LOG_REPORT_H_
#define BANK_COMMAND_SERVICE_BANK_LOG_LOG_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/event_upcaster.h"
#include "command-service/store/file/log_scan.h"

namespace bank::bank_log {

// What a read-only scan of a command service's data directory found, and so
// what the service's start-up would do with it: the same scan and judgement
// (log::ScanLog), without the repair.
struct LogReport {
  uint64_t events = 0;  // event records read whole, in order, before any damage
  uint64_t head = 0;    // the position of the last of them, 0 if none
  size_t segments = 0;  // segment files holding them (known only when damage is OK)
  // A torn write at the end, which start-up would cut (or remove) and go on.
  std::optional<log::TornEnd> torn_end;
  // Not OK: start-up would refuse to start with this status, changing nothing.
  absl::Status damage;

  bool whole() const { return damage.ok() && !torn_end.has_value(); }
};

// An event, and the position of the last event of its group (its own when
// alone).
using EventVisitor = absl::FunctionRef<void(const bank::v1::Event& event, uint64_t group_end)>;

// Scans the log in `dir` without writing to it, and hands each event, upcast
// to the current shape by `upcaster` exactly as the service reads it, to
// `visit` in position order. The caller keeps the service out of `dir`
// (DataDirLock::AcquireShared).
LogReport InspectLog(const std::string& dir, const store::EventUpcaster& upcaster,
                     EventVisitor visit);

// For people, one or more lines ending in a newline: what was read, the first
// damage if any, and what start-up would do about it.
std::string DescribeReport(const LogReport& report);

}  // namespace bank::bank_log

#endif  // BANK_COMMAND_SERVICE_BANK_LOG_LOG_REPORT_H_
