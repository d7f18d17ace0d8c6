#ifndef BANK_TESTS_SUPPORT_WAIT_FOR_H_
#define BANK_TESTS_SUPPORT_WAIT_FOR_H_

#include <functional>

#include "absl/time/time.h"

namespace bank::testing {

// Polls `condition` (every millisecond) until it holds or `timeout` passes;
// returns whether it held. For conditions with no notification to wait on.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10));

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_WAIT_FOR_H_
