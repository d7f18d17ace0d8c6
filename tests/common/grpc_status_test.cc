#include "common/grpc_status.h"

#include <gtest/gtest.h>

#include "common/posix_status.h"

namespace bank {
namespace {

TEST(GrpcStatusTest, CodeAndMessageCarryOver) {
  grpc::Status status = ToGrpcStatus(absl::FailedPreconditionError("insufficient funds"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "insufficient funds");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(FromGrpcStatus(status), absl::FailedPreconditionError("insufficient funds"));
}

TEST(PosixStatusTest, DiskFullIsResourceExhaustedAndIoErrorUnavailable) {
  EXPECT_EQ(PosixError(ENOSPC, "write x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(PosixError(EIO, "fsync x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(PosixError(EIO, "fsync x").message(), "fsync x: Input/output error");
}

}  // namespace
}  // namespace bank
