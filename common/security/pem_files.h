#ifndef BANK_COMMON_SECURITY_PEM_FILES_H_
#define BANK_COMMON_SECURITY_PEM_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace bank::security {

// Reading the PEM files that TLS flags name, and checking them with OpenSSL
// before gRPC sees them. gRPC takes any bytes as a certificate or a key and
// fails only later (the server's port does not bind; every call of a client
// fails), in words that name no file. Here a bad file refuses start-up with
// the flag, the path and what is wrong with it.
//
// Each file is read once, when called: a program that calls these at start-up
// sees a replaced certificate only when it restarts. Thread-safe (OpenSSL's
// error queue is per thread, and is left empty).

// A file as the command line named it: the flag without its dashes
// ("tls_cert") and its value. Messages name it "--tls_cert=/etc/bank/server.pem".
struct FlagFile {
  std::string flag;
  std::string path;
};

// A certificate chain and the private key of its first certificate, in PEM.
struct PemKeyPair {
  std::string cert_chain;
  std::string private_key;
};

// The text of `file` if it holds one or more PEM certificates (a chain: the
// first is the leaf; a CA file: the trusted roots), none of them malformed.
// Errors: NOT_FOUND when there is no such file; PERMISSION_DENIED when it is
// not readable; INVALID_ARGUMENT when it is a directory, larger than a PEM file
// can be, holds no PEM certificate or a malformed one; the errno's status from
// PosixError (common/posix_status.h) for any other I/O failure.
absl::StatusOr<std::string> ReadCertificates(const FlagFile& file);

// `cert` as ReadCertificates reads it, and `key`, which must hold an
// unencrypted PEM private key (the first one is used) that belongs to the first
// certificate of `cert`. Errors: those of ReadCertificates for either file;
// INVALID_ARGUMENT, naming `key`, when it holds no PEM private key, a malformed
// or an encrypted one; INVALID_ARGUMENT naming both files when the key is not
// the certificate's.
absl::StatusOr<PemKeyPair> ReadKeyPair(const FlagFile& cert, const FlagFile& key);

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_PEM_FILES_H_
