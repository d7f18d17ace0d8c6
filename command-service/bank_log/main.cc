// bank-log: the operator's offline tool for a command service's event log.
// Flags only; the verbs live in verbs.cc.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "command-service/bank_log/verbs.h"
#include "common/program_flags.h"

ABSL_FLAG(uint64_t, after, 0, "dump: print only the events after this position");
ABSL_FLAG(bool, json, false,
          "dump: one JSON object per event, exactly as `bankctl watch --json` prints it");
ABSL_FLAG(std::string, from, "", "copy: the data directory of the file log to copy");
ABSL_FLAG(std::string, to, "", "copy: the PostgreSQL URI of the empty store to copy into");
ABSL_FLAG(std::string, store_schema, "bank", "copy: the schema of the store at --to");

namespace {

constexpr char kUsage[] =
    "bank-log VERB DATA_DIR [FLAGS]: reads a command service's event log offline, with the "
    "service's own recovery code, and never writes to DATA_DIR\n"
    "  verify DATA_DIR   check every record; print the count, the head position and the first\n"
    "                    damage, and whether start-up would cut it (a torn tail) or refuse to\n"
    "                    start\n"
    "  dump DATA_DIR     print the events one per line, as `bankctl watch` does (--after, "
    "--json)\n"
    "  copy --from=DATA_DIR --to=URI [--store_schema=S]\n"
    "                    copy the log into an empty PostgreSQL store, keeping every position,\n"
    "                    version, command_id and recorded_at, in one transaction\n"
    "Refuses a DATA_DIR that a running command service holds.\n"
    "Exit status: 0 the log is whole; 1 damaged or torn (start-up would refuse it, or cut it);\n"
    "2 usage error, or refused (DATA_DIR missing or in use)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<char*> positional = bank::ParseProgramFlags(argc, argv, kUsage, __FILE__);
  const std::vector<std::string> args(positional.begin() + 1, positional.end());
  const bank::bank_log::Options options{
      .after = absl::GetFlag(FLAGS_after),
      .format = absl::GetFlag(FLAGS_json) ? bank::Format::kJson : bank::Format::kHuman,
      .from = absl::GetFlag(FLAGS_from),
      .to = absl::GetFlag(FLAGS_to),
      .store_schema = absl::GetFlag(FLAGS_store_schema)};
  return bank::bank_log::RunBankLog(args, options, std::cout, std::cerr);
}
