#include "command-service/bank_log/verbs.h"

#include <memory>

#include "absl/status/statusor.h"
#include "command-service/bank_log/log_report.h"
#include "common/data_dir_lock.h"

namespace bank::bank_log {
namespace {

int Verify(const std::string& dir, std::ostream& out) {
  const LogReport report = InspectLog(dir, store::EventUpcaster(), [](const bank::v1::Event&) {});
  out << DescribeReport(report);
  return report.whole() ? kExitWhole : kExitDamaged;
}

int Dump(const std::string& dir, const DumpOptions& options, std::ostream& out, std::ostream& err) {
  const LogReport report =
      InspectLog(dir, store::EventUpcaster(), [&](const bank::v1::Event& event) {
        if (event.position() > options.after) out << FormatEvent(event, options.format) << '\n';
      });
  out.flush();
  if (report.whole()) return kExitWhole;
  err << DescribeReport(report);
  return kExitDamaged;
}

}  // namespace

int RunBankLog(const std::vector<std::string>& args, const DumpOptions& options, std::ostream& out,
               std::ostream& err) {
  if (args.size() != 2 || (args[0] != "verify" && args[0] != "dump")) {
    if (!args.empty() && args[0] == "copy") {
      err << "bank-log: copy is not available yet (it comes with the PostgreSQL store)\n";
    }
    err << "usage: bank-log verify DATA_DIR | bank-log dump DATA_DIR [--after=P] [--json]; "
           "bank-log --help for details\n";
    return kExitUsage;
  }
  const std::string& dir = args[1];
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::AcquireShared(dir);
  if (!lock.ok()) {
    err << "bank-log: refusing to read " << dir << ": " << lock.status().message();
    if (lock.status().code() == absl::StatusCode::kFailedPrecondition) {
      err << "; a command service is running on it: stop it first, or read a copy";
    }
    err << "\n";
    return kExitUsage;
  }
  return args[0] == "verify" ? Verify(dir, out) : Dump(dir, options, out, err);
}

}  // namespace bank::bank_log
