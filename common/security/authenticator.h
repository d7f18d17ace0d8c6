#ifndef BANK_COMMON_SECURITY_AUTHENTICATOR_H_
#define BANK_COMMON_SECURITY_AUTHENTICATOR_H_

#include <grpcpp/server_context.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/security/token_file.h"

namespace bank::security {

// Who may call a service (CONTRACT.md "Security"). Each rpc of our own
// services asks it first, before any other check, and passes the caller's
// name on as the `principal` of what it records.
//
// Why in the rpcs and not in gRPC: an AuthMetadataProcessor runs only on
// TLS credentials (gRPC 1.51 aborts when one is set on insecure ones), and
// tokens must work without TLS too; a server interceptor cannot end a call
// with a status of its own. The rpcs are few and each names its role in one
// line, next to the code it guards. Health is gRPC's own service and asks
// nothing, as the contract says.
//
// Thread-safe: immutable after construction.
class Authenticator {
 public:
  // Lets every call in, as the caller with no name (no --auth_tokens).
  Authenticator() = default;
  // Lets in the callers of a tokens file (ReadTokenFile).
  explicit Authenticator(std::vector<Caller> callers);

  // Whether calls need a token.
  bool enabled() const { return !callers_.empty(); }

  // The name of the caller of `context` when its token has `role`, "" when
  // tokens are off. UNAUTHENTICATED without `authorization: Bearer TOKEN`
  // or with a token no caller has; PERMISSION_DENIED, naming the caller,
  // `rpc` and the role, when its token lacks `role`. No message repeats the
  // token.
  absl::StatusOr<std::string> Authorize(const grpc::ServerContextBase& context, Role role,
                                        absl::string_view rpc) const;

  // The same for an rpc any caller with a valid token may make (reflection).
  absl::StatusOr<std::string> Authenticate(const grpc::ServerContextBase& context) const;

 private:
  // The caller whose token `context` carries; tokens must be on.
  absl::StatusOr<const Caller*> Identify(const grpc::ServerContextBase& context) const;
  // The caller whose token is `token`, comparing every caller's digest in
  // time that does not depend on where, or whether, it matches.
  const Caller* Find(absl::string_view token) const;

  std::vector<Caller> callers_;
};

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_AUTHENTICATOR_H_
