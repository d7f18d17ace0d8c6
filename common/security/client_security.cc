#include "common/security/client_security.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/security/config_file.h"
#include "common/security/tls_credentials.h"

namespace bank::security {

namespace {

// A token travels as an HTTP/2 header value: visible ASCII only.
bool IsValidToken(absl::string_view token) {
  if (token.empty()) return false;
  for (const char c : token) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

ClientSecurity::ClientSecurity() : credentials_(grpc::InsecureChannelCredentials()) {}

absl::StatusOr<ClientSecurity> ClientSecurity::Load(const ClientSecurityOptions& options) {
  ClientSecurity security;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = ChannelCredentialsFrom(
      {.ca = options.tls_ca, .cert = options.tls_cert, .key = options.tls_key},
      absl::StrCat(options.flag_prefix, "tls_"));
  if (!credentials.ok()) return credentials.status();
  security.credentials_ = *std::move(credentials);
  if (!options.token_file.empty()) {
    const std::string flag = absl::StrCat(options.flag_prefix, "token_file");
    absl::StatusOr<std::string> text = ReadConfigFile(flag, options.token_file);
    if (!text.ok()) return text.status();
    security.token_ = std::string(absl::StripTrailingAsciiWhitespace(*text));
    if (!IsValidToken(security.token_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, "=", options.token_file,
          ": must hold one token, visible ASCII characters with no space, on one line"));
    }
  } else if (!options.token.empty()) {
    if (!IsValidToken(options.token)) {
      return absl::InvalidArgumentError(
          "the token (BANK_TOKEN) must be visible ASCII characters with no space");
    }
    security.token_ = options.token;
  }
  return security;
}

void ClientSecurity::Authorize(grpc::ClientContext& context) const {
  if (has_token()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
}

}  // namespace bank::security
