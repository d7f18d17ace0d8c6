#include "common/security/token_file.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/security/config_file.h"

namespace bank::security {

namespace {

constexpr Role kRoles[] = {Role::kWrite, Role::kSubscribe, Role::kRead};

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase too: the contract says lowercase
}

bool ParseDigest(absl::string_view hex, Sha256* digest) {
  if (hex.size() != 2 * digest->size()) return false;
  for (size_t i = 0; i < digest->size(); ++i) {
    const int high = HexDigit(hex[2 * i]);
    const int low = HexDigit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    (*digest)[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return true;
}

// The role set of a ROLES field, or an error saying what is wrong with it.
absl::StatusOr<uint8_t> ParseRoles(absl::string_view field) {
  uint8_t roles = 0;
  for (absl::string_view name : absl::StrSplit(field, ',')) {
    bool known = false;
    for (const Role role : kRoles) {
      if (name == RoleName(role)) {
        roles |= static_cast<uint8_t>(role);
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(
          "the roles must be a comma-separated subset of write, subscribe and read");
    }
  }
  return roles;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kWrite:
      return "write";
    case Role::kSubscribe:
      return "subscribe";
    case Role::kRead:
      return "read";
  }
  return "unknown";
}

Sha256 DigestOf(absl::string_view bytes) {
  Sha256 digest{};
  unsigned int length = 0;
  // Fails only when OpenSSL cannot allocate, which no caller could handle.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    std::abort();
  }
  return digest;
}

absl::StatusOr<std::vector<Caller>> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadConfigFile("auth_tokens", path);
  if (!text.ok()) return text.status();
  return ParseTokenFile(*text, path);
}

absl::StatusOr<std::vector<Caller>> ParseTokenFile(absl::string_view text, absl::string_view path) {
  std::vector<Caller> callers;
  absl::flat_hash_map<std::string, int> line_of_name;
  absl::flat_hash_map<std::string, int> line_of_digest;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    auto malformed = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("--auth_tokens=", path, " line ", number, ": ", why));
    };
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.empty()) continue;
    if (fields.size() != 3) {
      return malformed(absl::StrCat("expected NAME ROLES SHA256, found ", fields.size(),
                                    fields.size() == 1 ? " field" : " fields"));
    }
    Caller caller;
    if (!IsValidName(fields[0])) {
      return malformed("the name must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
    }
    caller.name = std::string(fields[0]);
    absl::StatusOr<uint8_t> roles = ParseRoles(fields[1]);
    if (!roles.ok()) return malformed(roles.status().message());
    caller.roles = *roles;
    if (!ParseDigest(fields[2], &caller.token_sha256)) {
      return malformed(
          "the third field must be the token's SHA-256 as 64 lowercase hex digits "
          "(sha256sum prints it)");
    }
    if (auto [earlier, first] = line_of_name.try_emplace(caller.name, number); !first) {
      return malformed(
          absl::StrCat("the name ", caller.name, " is already on line ", earlier->second));
    }
    const std::string digest(caller.token_sha256.begin(), caller.token_sha256.end());
    if (auto [earlier, first] = line_of_digest.try_emplace(digest, number); !first) {
      return malformed(absl::StrCat("the same token as line ", earlier->second,
                                    ": each caller needs a token of its own"));
    }
    callers.push_back(std::move(caller));
  }
  if (callers.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--auth_tokens=", path, " names no caller: every call but health would be refused"));
  }
  return callers;
}

}  // namespace bank::security
