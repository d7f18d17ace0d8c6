#ifndef BANK_COMMON_SECURITY_TLS_CREDENTIALS_H_
#define BANK_COMMON_SECURITY_TLS_CREDENTIALS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::security {

// gRPC credentials from the TLS flags of the services, of the query service's
// stream and of bankctl. The files are read and checked (pem_files.h) once,
// when these are called, at start-up: the credentials hold their contents, so
// a program sees renewed certificates only when it restarts, and a bad file
// refuses start-up with a message naming its flag and path. Thread-safe.

// A service's flags --tls_cert, --tls_key and --tls_client_ca: paths to PEM
// files, each empty when its flag is not given.
struct ServerTlsFiles {
  std::string cert;       // the server's certificate chain, leaf first
  std::string key;        // the private key of that leaf
  std::string client_ca;  // the CA that signs the clients' certificates
};

// All empty: grpc::InsecureServerCredentials() (plaintext, the local default).
// cert and key: TLS only, with that key pair, asking no client certificate.
// With client_ca as well: mutual TLS, every client must present a certificate
// that client_ca signed, or its handshake fails.
// Errors: INVALID_ARGUMENT when only one of cert and key is given, or client_ca
// without them; otherwise those of ReadKeyPair and ReadCertificates
// (pem_files.h) for the files, which name the flag and the path.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFrom(
    const ServerTlsFiles& files);

// A client's flags for the CA it trusts and its own certificate and key: paths
// to PEM files, each empty when its flag is not given.
struct ClientTlsFiles {
  std::string ca;    // the CA (or CAs) that signs the server's certificate
  std::string cert;  // the client's certificate chain, for mutual TLS
  std::string key;   // the private key of that leaf
};

// All empty: grpc::InsecureChannelCredentials() (plaintext). ca: TLS, trusting
// only the certificates in ca (never the system's roots), and the server's
// certificate must name the host of the channel's target. With cert and key as
// well: that key pair is offered to a server that asks for one (mutual TLS).
// `flag_prefix` is how the caller's flags begin, for messages: "tls_" for
// bankctl's --tls_ca, --tls_cert and --tls_key, "command_service_tls_" for the
// query service's --command_service_tls_ca and so on.
// Errors: INVALID_ARGUMENT when only one of cert and key is given, or cert and
// key without ca (a client certificate is sent over TLS only); otherwise those
// of ReadCertificates and ReadKeyPair (pem_files.h) for the files.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFrom(
    const ClientTlsFiles& files, absl::string_view flag_prefix);

}  // namespace bank::security

#endif  // BANK_COMMON_SECURITY_TLS_CREDENTIALS_H_
