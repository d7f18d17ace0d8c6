#include "tools/bankctl/commands.h"

#include <gtest/gtest.h>

namespace bank::bankctl {
namespace {

TEST(ExitCodeForTest, OkIsZero) { EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0); }

TEST(ExitCodeForTest, UnreachableOrTooSlowIsTwo) {
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), 2);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), 2);
}

TEST(ExitCodeForTest, EveryOtherServerAnswerIsOne) {
  for (const absl::Status& status :
       {absl::InvalidArgumentError("x"), absl::NotFoundError("x"), absl::AlreadyExistsError("x"),
        absl::AbortedError("x"), absl::FailedPreconditionError("x"), absl::OutOfRangeError("x"),
        absl::InternalError("x"), absl::UnimplementedError("x"), absl::CancelledError("x")}) {
    EXPECT_EQ(ExitCodeFor(status), 1) << status;
  }
}

}  // namespace
}  // namespace bank::bankctl
