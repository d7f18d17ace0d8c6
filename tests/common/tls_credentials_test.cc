// common/security/tls_credentials: which flags go together, and that a bad
// file is reported under the caller's own flag names. Handshakes with the
// credentials are in tls_handshake_test.cc.

#include "common/security/tls_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/dev_certs.h"

namespace bank::security {
namespace {

using ::bank::testing::DevCertsTest;
using ::testing::HasSubstr;
using ::testing::NotNull;

class TlsCredentialsTest : public DevCertsTest {
 protected:
  static std::string Path(absl::string_view name) { return certs().Path(name); }

  static ServerTlsFiles Server(std::string cert, std::string key, std::string client_ca = "") {
    return {std::move(cert), std::move(key), std::move(client_ca)};
  }
  static ClientTlsFiles Client(std::string ca, std::string cert = "", std::string key = "") {
    return {std::move(ca), std::move(cert), std::move(key)};
  }
};

TEST_F(TlsCredentialsTest, ServerWithoutFilesIsPlaintext) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentialsFrom(ServerTlsFiles{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_THAT(*credentials, NotNull());
}

TEST_F(TlsCredentialsTest, ServerCertAndKeyGoTogether) {
  for (const ServerTlsFiles& files :
       {Server(Path("server.pem"), ""), Server("", Path("server.key")),
        Server(Path("server.pem"), "", Path("ca.pem"))}) {
    const absl::Status status = ServerCredentialsFrom(files).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), "--tls_cert and --tls_key go together: give both or neither");
  }
}

TEST_F(TlsCredentialsTest, ServerClientCaNeedsCertAndKey) {
  const absl::Status status = ServerCredentialsFrom(Server("", "", Path("ca.pem"))).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--tls_client_ca needs --tls_cert and --tls_key"));
}

TEST_F(TlsCredentialsTest, ServerFileErrorsNameTheServersFlags) {
  const absl::Status missing_cert =
      ServerCredentialsFrom(Server(Path("missing.pem"), Path("server.key"))).status();
  EXPECT_EQ(missing_cert.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing_cert.message(), HasSubstr("--tls_cert=" + Path("missing.pem")));

  const absl::Status wrong_key =
      ServerCredentialsFrom(Server(Path("server.pem"), Path("client.key"))).status();
  EXPECT_EQ(wrong_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_key.message(), HasSubstr("--tls_key=" + Path("client.key")));
  EXPECT_THAT(wrong_key.message(), HasSubstr("--tls_cert=" + Path("server.pem")));

  const absl::Status key_as_ca =
      ServerCredentialsFrom(Server(Path("server.pem"), Path("server.key"), Path("ca.key")))
          .status();
  EXPECT_EQ(key_as_ca.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key_as_ca.message(),
              HasSubstr("--tls_client_ca=" + Path("ca.key") + ": no PEM certificate"));
}

TEST_F(TlsCredentialsTest, ClientWithoutFilesIsPlaintext) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFrom(ClientTlsFiles{}, "tls_");
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_THAT(*credentials, NotNull());
}

TEST_F(TlsCredentialsTest, ClientCertAndKeyGoTogetherUnderTheCallersFlagNames) {
  const absl::Status bankctl =
      ChannelCredentialsFrom(Client(Path("ca.pem"), Path("client.pem")), "tls_").status();
  EXPECT_EQ(bankctl.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bankctl.message(), "--tls_cert and --tls_key go together: give both or neither");

  const absl::Status query_service =
      ChannelCredentialsFrom(Client("", "", Path("client.key")), "command_service_tls_").status();
  EXPECT_EQ(query_service.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(query_service.message(),
            "--command_service_tls_cert and --command_service_tls_key go together: give both or "
            "neither");
}

TEST_F(TlsCredentialsTest, ClientCertAndKeyNeedACa) {
  const absl::Status status =
      ChannelCredentialsFrom(Client("", Path("client.pem"), Path("client.key")),
                             "command_service_tls_")
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("--command_service_tls_cert and --command_service_tls_key need "
                        "--command_service_tls_ca"));
}

TEST_F(TlsCredentialsTest, ClientFileErrorsNameTheCallersFlags) {
  const absl::Status missing_ca =
      ChannelCredentialsFrom(Client(Path("missing.pem")), "command_service_tls_").status();
  EXPECT_EQ(missing_ca.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing_ca.message(),
            absl::StrCat("--command_service_tls_ca=", Path("missing.pem"), ": no such file"));

  const absl::Status wrong_key =
      ChannelCredentialsFrom(Client(Path("ca.pem"), Path("client.pem"), Path("other-client.key")),
                             "command_service_tls_")
          .status();
  EXPECT_EQ(wrong_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_key.message(),
              HasSubstr("--command_service_tls_key=" + Path("other-client.key")));
  EXPECT_THAT(wrong_key.message(), HasSubstr("--command_service_tls_cert=" + Path("client.pem")));

  const absl::Status key_as_ca = ChannelCredentialsFrom(Client(Path("ca.key")), "tls_").status();
  EXPECT_EQ(key_as_ca.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key_as_ca.message(),
              HasSubstr("--tls_ca=" + Path("ca.key") + ": no PEM certificate"));
}

}  // namespace
}  // namespace bank::security
