#ifndef BANK_COMMON_SECURITY_TOKEN_FILE_H_
#define BANK_COMMON_SECURITY_TOKEN_FILE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::security {

// What a caller may do (CONTRACT.md "Security"), as bits of a set.
enum class Role : uint8_t {
  kWrite = 1,      // Deposit, Withdraw, Transfer
  kSubscribe = 2,  // Subscribe
  kRead = 4,       // every QueryService rpc
};

absl::string_view RoleName(Role role);

using Sha256 = std::array<unsigned char, 32>;

// One line of a tokens file: a caller, what it may do, and the SHA-256 of
// its token (the file holds no secret).
struct Caller {
  std::string name;
  uint8_t roles = 0;  // Role bits
  Sha256 token_sha256{};

  bool Has(Role role) const { return (roles & static_cast<uint8_t>(role)) != 0; }
};

// The callers of --auth_tokens=`path`: one line each, `NAME ROLES SHA256`,
// fields separated by spaces or tabs; a name of 1 to 64 of [A-Za-z0-9._:-],
// roles a comma-separated subset of write, subscribe and read, and the token's
// SHA-256 in lowercase hex. `#` starts a comment; blank lines are ignored.
// A malformed line, or a name or token a line before it has, is
// INVALID_ARGUMENT naming the file and the line number (never echoing a
// field that might be a secret pasted by mistake); a file that cannot be
// read is NOT_FOUND or PERMISSION_DENIED; one that names no caller is
// INVALID_ARGUMENT (it would refuse every call).
absl::StatusOr<std::vector<Caller>> ReadTokenFile(const std::string& path);

// The same for the file's text; `path` only names it in messages.
absl::StatusOr<std::vector<Caller>> ParseTokenFile(absl::string_view text, absl::string_view path);

// The SHA-256 of `bytes` (OpenSSL's EVP_Digest).
Sha256 DigestOf(absl::string_view bytes);

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_TOKEN_FILE_H_
