#include "common/program_flags.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"

namespace bank {
namespace {

bool HelpRequested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help") return true;
  }
  return false;
}

// Strings are quoted, so an empty default reads as "" and not as nothing.
std::string DefaultText(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<std::string>()) return absl::StrCat("\"", flag.DefaultValue(), "\"");
  return flag.DefaultValue();
}

// Abseil reports a flag's file through FlagsUsageConfig::normalize_filename.
// Set here, so that the main file is compared in the same form however the
// build spelled it (relative under ccache's base_dir, absolute otherwise).
std::string NormalizeFilename(absl::string_view filename) {
  const size_t start = filename.find_first_not_of("/\\");
  return start == absl::string_view::npos ? "" : std::string(filename.substr(start));
}

void PrintHelp(absl::string_view usage, const std::string& main_file) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename() == main_file) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  std::cout << usage << "\n\nFlags (--name=value):\n";
  for (const absl::CommandLineFlag* flag : flags) {
    std::cout << "  --" << flag->Name() << " (default: " << DefaultText(*flag) << ")\n      "
              << flag->Help() << "\n";
  }
  std::cout << "\n--helpfull also lists the flags of the libraries (Abseil's).\n";
}

}  // namespace

std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view usage,
                                     absl::string_view main_file) {
  absl::SetProgramUsageMessage(usage);
  const std::string file = NormalizeFilename(main_file);
  auto ours = [file](absl::string_view filename) { return filename == file; };
  absl::FlagsUsageConfig config;
  config.contains_helpshort_flags = ours;
  config.contains_help_flags = ours;
  config.contains_helppackage_flags = ours;
  config.normalize_filename = NormalizeFilename;
  absl::SetFlagsUsageConfig(config);
  if (HelpRequested(argc, argv)) {
    PrintHelp(usage, file);
    std::exit(EXIT_SUCCESS);
  }
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace bank
