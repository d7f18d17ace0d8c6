#ifndef BANK_COMMON_SECURITY_SERVER_SECURITY_H_
#define BANK_COMMON_SECURITY_SERVER_SECURITY_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/security/authenticator.h"

namespace bank::security {

// A service's security flags (CONTRACT.md "Security"), each a file path or
// empty when not given.
struct ServerSecurityOptions {
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  std::string auth_tokens;
};

// What a service serves with: the credentials of its listening port and who
// may call it. By default plaintext, every caller let in.
struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  std::shared_ptr<const Authenticator> authenticator =  // never null
      std::make_shared<const Authenticator>();
  bool tls = false;
};

// Reads and checks the files the options name, once, at start-up. Without
// any: plaintext, every caller let in. An error names the flag, the file and
// what is wrong with it.
absl::StatusOr<ServerSecurity> LoadServerSecurity(const ServerSecurityOptions& options);

// The warning to log when serving `listen` (HOST:PORT) with `security`
// exposes the service: a host that is not loopback, and TLS or tokens off.
std::optional<std::string> ExposureWarning(absl::string_view listen,
                                           const ServerSecurity& security);

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_SERVER_SECURITY_H_
