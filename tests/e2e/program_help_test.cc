// Every program's --help says what the program does and lists each flag it
// takes with its default (the README's Flags table), exits 0, and is not
// flooded by the libraries' own flags.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"

namespace bank {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ExpectedHelp {
  std::string program;
  std::string says;                                        // part of what it does
  std::vector<std::pair<std::string, std::string>> flags;  // name, default as printed
};

// Names the case in test listings (and ctest's names) by its program.
void PrintTo(const ExpectedHelp& expected, std::ostream* out) { *out << expected.program; }

// The text of one flag's entry: from "  --NAME" to the next flag's entry.
std::string FlagEntry(const std::string& help, const std::string& name) {
  const std::string start = absl::StrCat("\n  --", name);
  size_t begin = help.find(start + " ");
  if (begin == std::string::npos) begin = help.find(start + "=");
  if (begin == std::string::npos) return "";
  const size_t end = help.find("\n  --", begin + 1);
  return help.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// Abseil's flags of our programs: --flagfile, --fromenv, ...
constexpr const char* kLibraryFlags[] = {"--flagfile", "--fromenv",   "--tryfromenv",
                                         "--undefok",  "--helpmatch", "Flags from"};

class ProgramHelpTest : public ::testing::TestWithParam<ExpectedHelp> {};

TEST_P(ProgramHelpTest, HelpSaysWhatItDoesAndListsEveryFlagWithItsDefault) {
  const ExpectedHelp& expected = GetParam();
  testing::Outcome help =
      testing::RunToCompletion(testing::ProgramPath(expected.program), {"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, StartsWith(expected.program));
  EXPECT_THAT(help.out, HasSubstr(expected.says));
  for (const auto& [name, default_text] : expected.flags) {
    const std::string entry = FlagEntry(help.out, name);
    EXPECT_THAT(entry, HasSubstr(default_text)) << "--" << name << " in\n" << help.out;
  }
  for (const char* library_flag : kLibraryFlags) {
    EXPECT_THAT(help.out, ::testing::Not(HasSubstr(library_flag))) << help.out;
  }
}

// Our own format is "--NAME (default: VALUE)"; bankctl's usage text has its own.
std::string Default(const std::string& value) { return absl::StrCat("(default: ", value, ")"); }

INSTANTIATE_TEST_SUITE_P(
    EveryProgram, ProgramHelpTest,
    ::testing::Values(ExpectedHelp{"command-service",
                                   "the bank's write side",
                                   {{"listen", Default("\"127.0.0.1:50051\"")},
                                    {"data_dir", Default("\"./data/command\"")},
                                    {"log_level", Default("\"info\"")},
                                    {"segment_bytes", Default("67108864")},
                                    {"snapshot_every", Default("1000000")},
                                    {"command_id_retention", Default("1000000")}}},
                      ExpectedHelp{"query-service",
                                   "the bank's read side",
                                   {{"listen", Default("\"127.0.0.1:50052\"")},
                                    {"data_dir", Default("\"./data/query\"")},
                                    {"command_service", Default("\"127.0.0.1:50051\"")},
                                    {"log_level", Default("\"info\"")}}},
                      ExpectedHelp{"bankctl",
                                   "SUBCOMMAND",
                                   {{"command_service", "(default 127.0.0.1:50051)"},
                                    {"query_service", "(default 127.0.0.1:50052)"},
                                    {"command_id", "(default none)"},
                                    {"expected_version", "not sent unless given"},
                                    {"after", "(default 0)"},
                                    {"timeout", "(default 10s)"},
                                    {"json", "(default off)"}}},
                      ExpectedHelp{"bank-bench",
                                   "load and timing figures",
                                   {{"command_service", Default("\"127.0.0.1:50051\"")},
                                    {"query_service", Default("\"127.0.0.1:50052\"")},
                                    {"in_flight", "default 64; e2e 16; fill 256"},
                                    {"channels", Default("1")},
                                    {"accounts", Default("10000")},
                                    {"seconds", Default("10")},
                                    {"warmup_seconds", Default("2")},
                                    {"baseline", Default("false")},
                                    {"rounds", Default("2")},
                                    {"command_ids", Default("true")},
                                    {"rate", Default("1000")},
                                    {"read_deadline", Default("5s")},
                                    {"events", Default("1000000")},
                                    {"head", Default("0")},
                                    {"poll_interval", Default("50ms")},
                                    {"timeout", Default("10m")},
                                    {"account_prefix", Default("\"bench-\"")},
                                    {"json", Default("false")}}},
                      ExpectedHelp{"bank-make-log",
                                   "a command-service data directory of N deposits",
                                   {{"data_dir", Default("\"\"")},
                                    {"events", Default("1000000")},
                                    {"accounts", Default("10000")},
                                    {"command_ids", Default("true")}}},
                      ExpectedHelp{"bank-log",
                                   "reads a command service's event log offline",
                                   {{"after", Default("0")}, {"json", Default("false")}}}),
    [](const ::testing::TestParamInfo<ExpectedHelp>& info) {
      std::string name;
      for (char c : info.param.program) {
        if (c != '-') name += c;
      }
      return name;
    });

}  // namespace
}  // namespace bank
