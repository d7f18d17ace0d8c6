#ifndef BANK_TESTS_FUZZ_FUZZ_CHECK_H_
#define BANK_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"

namespace bank::fuzz {

// Aborts with `what` when a property the fuzz target asserts does not hold.
// Not assert(): it must hold in the fuzz preset's optimised build too, and
// an abort is what libFuzzer reports as a crash and saves an input for.
inline void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s\n", what);
  std::abort();
}

// Check, naming the status that explains the failure.
inline void Check(bool condition, const char* what, const absl::Status& status) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s (%s)\n", what, status.ToString().c_str());
  std::abort();
}

}  // namespace bank::fuzz

#endif  // BANK_TESTS_FUZZ_FUZZ_CHECK_H_
