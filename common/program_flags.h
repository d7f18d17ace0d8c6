#ifndef BANK_COMMON_PROGRAM_FLAGS_H_
#define BANK_COMMON_PROGRAM_FLAGS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace bank {

// Parses the command line of one of our programs with Abseil flags, after
// making `--help` say what the program does and list exactly its own flags.
//
// Abseil 20220623's --help lists only flags from files it takes for the main
// module (named after the program), which for our main.cc files is none ("No
// flags matched"), and exits 1; --helpfull buries ours among Abseil's. So:
// `--help` (or `-help`) anywhere before a `--` prints `usage`, then every flag
// defined in `main_file` with its default and its help, to stdout, and exits
// 0. --helpshort and --helppackage list the same flags through Abseil;
// --helpfull still lists every flag. Otherwise as absl::ParseCommandLine: a
// bad flag exits 1 with Abseil's message; returns argv[0] and the positional
// arguments.
//
// `main_file` is __FILE__ of the file that defines the program's flags (where
// main() is): Abseil records each flag's file as its __FILE__, and both go
// through the same normalisation (leading slashes dropped), so they compare
// equal whether the build spelled the path relative (ccache's base_dir) or
// absolute. Call once, first thing in
// main().
std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view usage,
                                     absl::string_view main_file);

}  // namespace bank

#endif  // BANK_COMMON_PROGRAM_FLAGS_H_
