#include "common/security/server_security.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/host_port.h"
#include "common/security/tls_credentials.h"

namespace bank::security {

namespace {

bool IsLoopback(absl::string_view host) {
  if (host == "localhost") return true;
  const std::string bare(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  in_addr v4 = {};
  if (inet_pton(AF_INET, bare.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6 = {};
  return inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

absl::StatusOr<ServerSecurity> LoadServerSecurity(const ServerSecurityOptions& options) {
  ServerSecurity security;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentialsFrom(
      {.cert = options.tls_cert, .key = options.tls_key, .client_ca = options.tls_client_ca});
  if (!credentials.ok()) return credentials.status();
  security.credentials = *std::move(credentials);
  security.tls = !options.tls_cert.empty();
  if (!options.auth_tokens.empty()) {
    absl::StatusOr<std::vector<Caller>> callers = ReadTokenFile(options.auth_tokens);
    if (!callers.ok()) return callers.status();
    security.authenticator = std::make_shared<const Authenticator>(*std::move(callers));
  }
  return security;
}

std::optional<std::string> ExposureWarning(absl::string_view listen,
                                           const ServerSecurity& security) {
  if (absl::StatusOr<HostPort> address = ParseListenAddress("--listen", listen);
      address.ok() && IsLoopback(address->host)) {
    return std::nullopt;
  }
  std::vector<std::string> off;
  if (!security.tls) off.push_back("TLS (--tls_cert, --tls_key)");
  if (!security.authenticator->enabled()) off.push_back("tokens (--auth_tokens)");
  if (off.empty()) return std::nullopt;
  return absl::StrCat(
      "--listen=", listen, " is not a loopback address and ", absl::StrJoin(off, " and "),
      off.size() == 1 ? " is" : " are", " off: anyone who can reach it can ",
      security.authenticator->enabled() ? "read every byte of its calls" : "call every rpc");
}

}  // namespace bank::security
