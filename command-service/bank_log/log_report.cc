#include "command-service/bank_log/log_report.h"

#include "absl/strings/str_cat.h"

namespace bank::bank_log {
namespace {

// bank-log never reads by position, so the sparse index is not needed: one
// entry per segment keeps it from growing with the log.
constexpr size_t kIndexEvery = static_cast<size_t>(-1);

// "17 events, head position 17"
std::string EventsRead(const LogReport& report) {
  if (report.events == 0) return "no events";
  return absl::StrCat(report.events, " events, head position ", report.head);
}

std::string DescribeTornEnd(const LogReport& report, const log::TornEnd& torn) {
  if (torn.kind == log::TornEnd::Kind::kSegmentCreation) {
    return absl::StrCat(
        "torn segment creation: ", EventsRead(report), ", then ", torn.path, " (", torn.size,
        " bytes, shorter than a segment header)\n",
        "start-up would remove that file (a crash while creating the segment; it holds no "
        "record) and go on at head position ",
        report.head, "\n");
  }
  return absl::StrCat(
      "torn tail: ", EventsRead(report), ", then ", torn.data_end - torn.offset,
      " bytes of an unfinished record in ", torn.path, " at offset ", torn.offset,
      " (where position ", torn.position, " would be)\n",
      "start-up would cut the file there (a write a crash interrupted; it was never "
      "acknowledged) and go on at head position ",
      report.head, "\n");
}

}  // namespace

LogReport InspectLog(const std::string& dir, const store::EventUpcaster& upcaster,
                     EventVisitor visit) {
  LogReport report;
  bank::v1::Event event;
  auto visit_record = [&](const store::StoredPayload& stored) -> absl::Status {
    absl::Status upcast = upcaster.Upcast(stored, &event);
    if (!upcast.ok()) return upcast;
    ++report.events;
    report.head = event.position();
    visit(event, stored.group_end);
    return absl::OkStatus();
  };
  absl::StatusOr<log::RecoveredLog> scanned = log::ScanLog(dir, kIndexEvery, visit_record);
  if (!scanned.ok()) {
    report.damage = scanned.status();
    return report;
  }
  report.segments = scanned->segments.size();
  report.torn_end = std::move(scanned->torn_end);
  return report;
}

std::string DescribeReport(const LogReport& report) {
  if (!report.damage.ok()) {
    return absl::StrCat(
        "damaged after ", EventsRead(report), ":\n", absl::StatusCodeToString(report.damage.code()),
        ": ", report.damage.message(), "\nstart-up would refuse to start (and change nothing)\n");
  }
  if (report.torn_end.has_value()) return DescribeTornEnd(report, *report.torn_end);
  if (report.segments == 0) {
    return "whole: no segment file, an empty log; start-up would begin it at position 1\n";
  }
  return absl::StrCat("whole: ", EventsRead(report), ", in ", report.segments,
                      " segment(s); start-up would recover it unchanged\n");
}

}  // namespace bank::bank_log
