#include "command-service/bank_log/verbs.h"

#include <memory>

#include "absl/status/statusor.h"
#include "command-service/bank_log/log_report.h"
#include "command-service/store/postgres/store_import.h"
#include "command-service/store/postgres/store_uri.h"
#include "common/data_dir_lock.h"

namespace bank::bank_log {
namespace {

int Verify(const std::string& dir, std::ostream& out) {
  const LogReport report =
      InspectLog(dir, store::EventUpcaster(), [](const bank::v1::Event&, uint64_t) {});
  out << DescribeReport(report);
  return report.whole() ? kExitWhole : kExitDamaged;
}

int Dump(const std::string& dir, const Options& options, std::ostream& out, std::ostream& err) {
  const LogReport report =
      InspectLog(dir, store::EventUpcaster(), [&](const bank::v1::Event& event, uint64_t) {
        if (event.position() > options.after) out << FormatEvent(event, options.format) << '\n';
      });
  out.flush();
  if (report.whole()) return kExitWhole;
  err << DescribeReport(report);
  return kExitDamaged;
}

int Copy(const Options& options, std::ostream& out, std::ostream& err) {
  const std::string target = store::postgres::MaskPassword(options.to);
  absl::StatusOr<std::unique_ptr<store::postgres::StoreImport>> import =
      store::postgres::StoreImport::Begin(options.to, options.store_schema);
  if (!import.ok()) {
    err << "bank-log: refusing to copy into " << target << ": " << import.status().message()
        << "\n";
    return kExitUsage;
  }
  absl::Status added;
  const LogReport report = InspectLog(options.from, store::EventUpcaster(),
                                      [&](const bank::v1::Event& event, uint64_t group_end) {
                                        if (added.ok()) added = (*import)->Add(event, group_end);
                                      });
  if (!report.whole()) {
    err << DescribeReport(report) << "bank-log: nothing was copied: the log in " << options.from
        << " is not whole\n";
    return kExitDamaged;
  }
  absl::StatusOr<uint64_t> copied = added.ok() ? (*import)->Commit() : added;
  if (!copied.ok()) {
    err << "bank-log: nothing was copied into " << target << ": " << copied.status().message()
        << "\n";
    return kExitDamaged;
  }
  out << "copied " << *copied << " events from " << options.from << " into schema "
      << options.store_schema << " at " << target << "\n";
  return kExitWhole;
}

// Holds `dir` against a command service starting on it, or says why not.
absl::StatusOr<std::unique_ptr<DataDirLock>> HoldForReading(const std::string& dir,
                                                            std::ostream& err) {
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::AcquireShared(dir);
  if (!lock.ok()) {
    err << "bank-log: refusing to read " << dir << ": " << lock.status().message();
    if (lock.status().code() == absl::StatusCode::kFailedPrecondition) {
      err << "; a command service is running on it: stop it first, or read a copy";
    }
    err << "\n";
  }
  return lock;
}

}  // namespace

int RunBankLog(const std::vector<std::string>& args, const Options& options, std::ostream& out,
               std::ostream& err) {
  if (args.size() == 1 && args[0] == "copy") {
    if (options.from.empty() || options.to.empty()) {
      err << "usage: bank-log copy --from=DATA_DIR --to=URI [--store_schema=S]\n";
      return kExitUsage;
    }
    absl::StatusOr<std::unique_ptr<DataDirLock>> lock = HoldForReading(options.from, err);
    return lock.ok() ? Copy(options, out, err) : kExitUsage;
  }
  if (args.size() != 2 || (args[0] != "verify" && args[0] != "dump")) {
    err << "usage: bank-log verify DATA_DIR | bank-log dump DATA_DIR [--after=P] [--json] | "
           "bank-log copy --from=DATA_DIR --to=URI [--store_schema=S]; bank-log --help for "
           "details\n";
    return kExitUsage;
  }
  const std::string& dir = args[1];
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = HoldForReading(dir, err);
  if (!lock.ok()) return kExitUsage;
  return args[0] == "verify" ? Verify(dir, out) : Dump(dir, options, out, err);
}

}  // namespace bank::bank_log
