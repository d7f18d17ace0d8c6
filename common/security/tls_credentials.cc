#include "common/security/tls_credentials.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/security/pem_files.h"

namespace bank::security {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFrom(
    const ServerTlsFiles& files) {
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both or neither");
  }
  if (files.cert.empty()) {
    if (!files.client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca needs --tls_cert and --tls_key: client certificates are checked over "
          "TLS only");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<PemKeyPair> pair = ReadKeyPair({"tls_cert", files.cert}, {"tls_key", files.key});
  if (!pair.ok()) return pair.status();
  grpc::SslServerCredentialsOptions options(
      files.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_key_cert_pairs.push_back({std::move(pair->private_key), std::move(pair->cert_chain)});
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> client_ca = ReadCertificates({"tls_client_ca", files.client_ca});
    if (!client_ca.ok()) return client_ca.status();
    options.pem_root_certs = *std::move(client_ca);
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFrom(
    const ClientTlsFiles& files, absl::string_view flag_prefix) {
  const std::string ca_flag = absl::StrCat(flag_prefix, "ca");
  const std::string cert_flag = absl::StrCat(flag_prefix, "cert");
  const std::string key_flag = absl::StrCat(flag_prefix, "key");
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", cert_flag, " and --", key_flag, " go together: give both or neither"));
  }
  if (files.ca.empty()) {
    if (!files.cert.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", cert_flag, " and --", key_flag, " need --", ca_flag,
                       ": a client certificate is sent over TLS only"));
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  // Never empty here: gRPC would trust the system's roots instead.
  absl::StatusOr<std::string> ca = ReadCertificates({ca_flag, files.ca});
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (!files.cert.empty()) {
    absl::StatusOr<PemKeyPair> pair = ReadKeyPair({cert_flag, files.cert}, {key_flag, files.key});
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = std::move(pair->cert_chain);
    options.pem_private_key = std::move(pair->private_key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace bank::security
