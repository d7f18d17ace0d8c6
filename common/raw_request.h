#ifndef BANK_COMMON_RAW_REQUEST_H_
#define BANK_COMMON_RAW_REQUEST_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bank {

// Services take their unary requests raw (the generated WithRawCallbackMethod_
// wrappers) and parse them here: when protobuf refuses a request, such as a
// string field holding bytes that are not UTF-8, gRPC 1.51's callback API
// would answer UNIMPLEMENTED with no message before any of our code runs.
// Parsed here, the caller gets INVALID_ARGUMENT saying what is wrong.
template <typename Request>
absl::Status ParseRequest(const grpc::ByteBuffer& bytes, Request* request) {
  grpc::ByteBuffer copy(bytes);  // Deserialize consumes its buffer; a copy shares the slices
  if (grpc::SerializationTraits<Request>::Deserialize(&copy, request).ok()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a valid ", Request::descriptor()->full_name(),
                   ": a string field holds bytes that are not UTF-8, or the bytes are not that "
                   "message"));
}

// Serializes `reply` into the raw response of such a method.
template <typename Reply>
void SerializeReply(const Reply& reply, grpc::ByteBuffer* bytes) {
  bool own_buffer = false;
  (void)grpc::SerializationTraits<Reply>::Serialize(reply, bytes, &own_buffer);
}

}  // namespace bank

#endif  // BANK_COMMON_RAW_REQUEST_H_
