#ifndef BANK_COMMON_GRPC_STATUS_H_
#define BANK_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace bank {

// The one place where domain errors cross into gRPC: absl's codes are gRPC's,
// so the code and message carry over unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients that hand gRPC results to domain code.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bank

#endif  // BANK_COMMON_GRPC_STATUS_H_
