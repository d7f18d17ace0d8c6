// Real handshakes over loopback between a server made with
// ServerCredentialsFrom and clients made with ChannelCredentialsFrom, on the
// certificates of scripts/dev-certs.sh: who gets an answer and who is refused.
// The call is the standard health check.
//
// Clients dial 127.0.0.1 and check the server's certificate for the name
// "localhost" (as if they had dialled localhost:PORT), or for the name a test
// gives. Dialling "localhost" itself would resolve it through c-ares, and
// Debian 12's c-ares 1.18.1 leaks a few bytes on each lookup of localhost that
// reads /etc/hosts (c-ares issue 439, fixed in 1.19): LeakSanitizer fails the
// asan build on it.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/security/tls_credentials.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/dev_certs.h"

namespace bank::security {
namespace {

using ::bank::testing::DevCerts;
using ::bank::testing::DevCertsTest;

class TlsHandshakeTest : public DevCertsTest {
 protected:
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  static std::string Path(absl::string_view name) { return certs().Path(name); }

  // Starts the server on 127.0.0.1 at a free port with `files`' credentials.
  void Serve(const ServerTlsFiles& files) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFrom(files);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    // gRPC builds no server without a service of its own; this one answers
    // UNIMPLEMENTED to everything health does not serve.
    builder.RegisterCallbackGenericService(&unimplemented_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  // The code of a health check from a fresh channel to 127.0.0.1:PORT with
  // `files`' credentials, whose server certificate must hold `name` (with
  // `name` empty: the address 127.0.0.1).
  grpc::StatusCode Check(const ClientTlsFiles& files, const std::string& name = "localhost") {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        ChannelCredentialsFrom(files, "tls_");
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    if (!credentials.ok()) return grpc::StatusCode::INTERNAL;
    grpc::ChannelArguments arguments;
    if (!name.empty()) arguments.SetSslTargetNameOverride(name);
    auto stub = grpc::health::v1::Health::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_), *credentials, arguments));
    grpc::ClientContext context;
    // Bounded: a refused handshake fails the call at once, well inside this.
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, {}, &response);
    return status.error_code();
  }

  ServerTlsFiles Tls() const { return {Path("server.pem"), Path("server.key"), ""}; }
  ServerTlsFiles MutualTls() const {
    return {Path("server.pem"), Path("server.key"), Path("ca.pem")};
  }

  grpc::CallbackGenericService unimplemented_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(TlsHandshakeTest, PlaintextServerAnswersAPlaintextClient) {
  Serve(ServerTlsFiles{});
  EXPECT_EQ(Check(ClientTlsFiles{}), grpc::StatusCode::OK);
}

TEST_F(TlsHandshakeTest, TlsServerAnswersAClientThatTrustsItsCa) {
  Serve(Tls());
  EXPECT_EQ(Check({Path("ca.pem"), "", ""}), grpc::StatusCode::OK);
}

TEST_F(TlsHandshakeTest, TlsServerRefusesAPlaintextClient) {
  Serve(Tls());
  EXPECT_EQ(Check(ClientTlsFiles{}), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, ClientTrustingAnotherCaRefusesTheServer) {
  Serve(Tls());
  EXPECT_EQ(Check({Path("other-ca.pem"), "", ""}), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, ServerCertificateHoldsItsNamesAndNoOthers) {
  Serve(Tls());
  const ClientTlsFiles trusting = {Path("ca.pem"), "", ""};
  EXPECT_EQ(Check(trusting, ""), grpc::StatusCode::OK);  // 127.0.0.1
  EXPECT_EQ(Check(trusting, "query-service"), grpc::StatusCode::OK);
  EXPECT_EQ(Check(trusting, std::string(DevCerts::kExtraSan)), grpc::StatusCode::OK);
  EXPECT_EQ(Check(trusting, "elsewhere.example"), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, MutualTlsRefusesAClientWithoutACertificate) {
  Serve(MutualTls());
  EXPECT_EQ(Check({Path("ca.pem"), "", ""}), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, MutualTlsRefusesAClientCertificateFromAnotherCa) {
  Serve(MutualTls());
  EXPECT_EQ(Check({Path("ca.pem"), Path("other-client.pem"), Path("other-client.key")}),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, MutualTlsAnswersAClientCertificateItsCaSigned) {
  Serve(MutualTls());
  EXPECT_EQ(Check({Path("ca.pem"), Path("client.pem"), Path("client.key")}), grpc::StatusCode::OK);
}

TEST_F(TlsHandshakeTest, TlsServerWithoutClientCaAnswersAClientThatOffersACertificate) {
  Serve(Tls());
  EXPECT_EQ(Check({Path("ca.pem"), Path("other-client.pem"), Path("other-client.key")}),
            grpc::StatusCode::OK);
}

}  // namespace
}  // namespace bank::security
