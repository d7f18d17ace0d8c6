#ifndef BANK_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_
#define BANK_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"

namespace bank::log {

// The trace id of a W3C `traceparent` header value
// ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"), lowercase hex;
// empty when the value is not one (the W3C rule: a malformed header is
// ignored, never an error), or its trace id is all zeros.
std::string TraceIdOf(absl::string_view traceparent);

// The trace id of the `traceparent` the call's client sent; empty when none.
std::string TraceIdOf(const grpc::ServerContextBase& context);

}  // namespace bank::log

#endif  // BANK_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_
