#include "common/security/authenticator.h"

#include <openssl/crypto.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace bank::security {

namespace {

constexpr absl::string_view kScheme = "Bearer ";

}  // namespace

Authenticator::Authenticator(std::vector<Caller> callers) : callers_(std::move(callers)) {}

const Caller* Authenticator::Find(absl::string_view token) const {
  const Sha256 digest = DigestOf(token);
  const Caller* found = nullptr;
  for (const Caller& caller : callers_) {
    // No early exit: how long this takes tells nothing about which caller
    // matched, if any.
    const bool same = CRYPTO_memcmp(caller.token_sha256.data(), digest.data(), digest.size()) == 0;
    if (same) found = &caller;
  }
  return found;
}

absl::StatusOr<const Caller*> Authenticator::Identify(
    const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  const auto [first, end] = metadata.equal_range("authorization");
  if (first == end) {
    return absl::UnauthenticatedError(
        "this service needs a token: send the metadata `authorization: Bearer TOKEN`");
  }
  if (std::next(first) != end) {
    return absl::UnauthenticatedError(
        "more than one `authorization` metadata entry: send exactly one, `Bearer TOKEN`");
  }
  const absl::string_view value(first->second.data(), first->second.size());
  // RFC 6750: the scheme's name is case-insensitive, the token is not.
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        "the `authorization` metadata must be `Bearer TOKEN`, with one space between");
  }
  const Caller* caller = Find(value.substr(kScheme.size()));
  if (caller == nullptr) {
    return absl::UnauthenticatedError(
        "the bearer token is not one this service knows: check the token, or ask for its "
        "SHA-256 to be added to the service's --auth_tokens");
  }
  return caller;
}

absl::StatusOr<std::string> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  if (!enabled()) return std::string();
  absl::StatusOr<const Caller*> caller = Identify(context);
  if (!caller.ok()) return caller.status();
  return (*caller)->name;
}

absl::StatusOr<std::string> Authenticator::Authorize(const grpc::ServerContextBase& context,
                                                     Role role, absl::string_view rpc) const {
  if (!enabled()) return std::string();
  absl::StatusOr<const Caller*> caller = Identify(context);
  if (!caller.ok()) return caller.status();
  if (!(*caller)->Has(role)) {
    return absl::PermissionDeniedError(absl::StrCat("caller ", (*caller)->name, " lacks the role `",
                                                    RoleName(role), "`, which ", rpc, " needs"));
  }
  return (*caller)->name;
}

}  // namespace bank::security
