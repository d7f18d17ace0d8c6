#ifndef BANK_TESTS_E2E_SECURITY_SETUP_H_
#define BANK_TESTS_E2E_SECURITY_SETUP_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/support/dev_certs.h"

namespace bank::testing {

// What the e2e tests need to run our services with TLS and tokens
// (CONTRACT.md "Security") and to call them with a token, made the way an
// operator and a client would, without the services' own security code.

// The lowercase hex SHA-256 of `token` (OpenSSL's, as sha256sum prints it).
std::string Sha256Hex(absl::string_view token);

// A line of a tokens file (--auth_tokens): "NAME ROLES SHA256\n".
std::string TokensLine(absl::string_view name, absl::string_view roles, absl::string_view token);

// A service's flags to serve TLS with `certs`' server certificate (SANs
// 127.0.0.1 and localhost, among others); with `mutual`, to require a client
// certificate signed by `certs`' CA too.
std::vector<std::string> ServerTlsFlags(const DevCerts& certs, bool mutual = false);

// A client's TLS credentials trusting the CA in `certs`' file `ca`, and with
// `client` ("client" or "other-client") offering that certificate and key;
// none when empty. Dial 127.0.0.1:PORT: the certificate names that address.
std::shared_ptr<grpc::ChannelCredentials> ClientTls(const DevCerts& certs,
                                                    absl::string_view ca = "ca.pem",
                                                    absl::string_view client = "");

// Calls carrying a token: each with a 10 s deadline and, unless `token` is
// empty, the metadata `authorization: Bearer TOKEN`. A null reply is not kept.

void PrepareCall(grpc::ClientContext& context, const std::string& token);

grpc::Status Deposit(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                     const std::string& account, int64_t amount,
                     bank::v1::CommandReply* reply = nullptr);
grpc::Status Withdraw(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                      const std::string& account, int64_t amount,
                      bank::v1::CommandReply* reply = nullptr);
grpc::Status Transfer(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                      const std::string& from, const std::string& to, int64_t amount);

// What a Subscribe read: its events up to the head its messages reported,
// and that head; or, when no message came, the stream's error.
struct LogRead {
  grpc::Status status;
  uint64_t head = 0;
  std::vector<bank::v1::Event> events;
};

// A Subscribe after `after` that reads until it holds every event up to the
// head (or, with `first_only`, one message), then cancels. Every event of the
// log when the caller makes no command meanwhile.
LogRead Subscribe(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                  uint64_t after = 0, bool first_only = false);

// The events' principals, in order.
std::vector<std::string> PrincipalsOf(const std::vector<bank::v1::Event>& events);

grpc::Status GetBalance(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                        const std::string& account, uint64_t min_position,
                        bank::v1::AccountBalance* reply = nullptr);
grpc::Status ListAccounts(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                          int32_t page_size, bank::v1::ListAccountsResponse* reply = nullptr);
grpc::Status GetHistory(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                        const std::string& account, bank::v1::GetHistoryResponse* reply = nullptr);
grpc::Status GetStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                       bank::v1::ProjectionStatus* reply = nullptr);

}  // namespace bank::testing

#endif  // BANK_TESTS_E2E_SECURITY_SETUP_H_
