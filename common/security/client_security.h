#ifndef BANK_COMMON_SECURITY_CLIENT_SECURITY_H_
#define BANK_COMMON_SECURITY_CLIENT_SECURITY_H_

#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::security {

// A client's security flags (CONTRACT.md "Security"): bankctl's --tls_ca,
// --tls_cert, --tls_key and --token_file, or the query service's for its
// stream, the same names after `command_service_`. Paths, empty when not
// given; `token` is a token given directly (bankctl's BANK_TOKEN), used when
// there is no token file.
struct ClientSecurityOptions {
  std::string flag_prefix;  // "" or "command_service_", for messages
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string token_file;
  std::string token;
};

// How a client reaches a service: its channels' credentials, and the token
// each call carries.
class ClientSecurity {
 public:
  // Reads and checks the files the options name, once. A token file holds
  // one token (trailing whitespace, such as the newline of `echo`, is not
  // part of it); an empty one, or one with characters gRPC metadata cannot
  // carry, is INVALID_ARGUMENT naming the file, never the token.
  static absl::StatusOr<ClientSecurity> Load(const ClientSecurityOptions& options);

  // Plaintext, no token.
  ClientSecurity();

  const std::shared_ptr<grpc::ChannelCredentials>& credentials() const { return credentials_; }
  bool has_token() const { return !token_.empty(); }

  // Adds the token to a call, as `authorization: Bearer TOKEN` metadata.
  // (Not as call credentials: gRPC sends those only over TLS, and tokens
  // work without it too.)
  void Authorize(grpc::ClientContext& context) const;

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string token_;
};

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_CLIENT_SECURITY_H_
