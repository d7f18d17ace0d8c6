#include "tests/e2e/security_setup.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace bank::testing {

std::string Sha256Hex(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();  // OpenSSL could not allocate: no test could go on
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<size_t>(length)));
}

std::string TokensLine(absl::string_view name, absl::string_view roles, absl::string_view token) {
  return absl::StrCat(name, " ", roles, " ", Sha256Hex(token), "\n");
}

std::vector<std::string> ServerTlsFlags(const DevCerts& certs, bool mutual) {
  std::vector<std::string> flags = {"--tls_cert=" + certs.Path("server.pem"),
                                    "--tls_key=" + certs.Path("server.key")};
  if (mutual) flags.push_back("--tls_client_ca=" + certs.Path("ca.pem"));
  return flags;
}

std::shared_ptr<grpc::ChannelCredentials> ClientTls(const DevCerts& certs, absl::string_view ca,
                                                    absl::string_view client) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadText(certs.Path(ca));
  if (!client.empty()) {
    options.pem_cert_chain = ReadText(certs.Path(absl::StrCat(client, ".pem")));
    options.pem_private_key = ReadText(certs.Path(absl::StrCat(client, ".key")));
  }
  return grpc::SslCredentials(options);
}

void PrepareCall(grpc::ClientContext& context, const std::string& token) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
}

grpc::Status Deposit(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                     const std::string& account, int64_t amount, bank::v1::CommandReply* reply) {
  bank::v1::DepositRequest request;
  request.set_account_id(account);
  request.set_amount(amount);
  bank::v1::CommandReply ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::CommandService::NewStub(channel)->Deposit(&context, request,
                                                             reply != nullptr ? reply : &ignored);
}

grpc::Status Withdraw(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                      const std::string& account, int64_t amount, bank::v1::CommandReply* reply) {
  bank::v1::WithdrawRequest request;
  request.set_account_id(account);
  request.set_amount(amount);
  bank::v1::CommandReply ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::CommandService::NewStub(channel)->Withdraw(&context, request,
                                                              reply != nullptr ? reply : &ignored);
}

grpc::Status Transfer(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                      const std::string& from, const std::string& to, int64_t amount) {
  bank::v1::TransferRequest request;
  request.set_from_account_id(from);
  request.set_to_account_id(to);
  request.set_amount(amount);
  bank::v1::TransferReply ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::CommandService::NewStub(channel)->Transfer(&context, request, &ignored);
}

LogRead Subscribe(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                  uint64_t after, bool first_only) {
  grpc::ClientContext context;
  PrepareCall(context, token);
  bank::v1::SubscribeRequest request;
  request.set_after_position(after);
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
      bank::v1::CommandService::NewStub(channel)->Subscribe(&context, request);
  LogRead read;
  bank::v1::SubscribeResponse response;
  bool any = false;
  while (reader->Read(&response)) {
    any = true;
    read.head = response.head_position();
    for (const bank::v1::Event& event : response.events()) read.events.push_back(event);
    if (first_only || after + read.events.size() >= read.head) break;
  }
  if (any) context.TryCancel();
  const grpc::Status finished = reader->Finish();
  if (!any) read.status = finished;
  return read;
}

std::vector<std::string> PrincipalsOf(const std::vector<bank::v1::Event>& events) {
  std::vector<std::string> names;
  for (const bank::v1::Event& event : events) names.push_back(event.principal());
  return names;
}

grpc::Status GetBalance(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                        const std::string& account, uint64_t min_position,
                        bank::v1::AccountBalance* reply) {
  bank::v1::GetBalanceRequest request;
  request.set_account_id(account);
  request.set_min_position(min_position);
  bank::v1::AccountBalance ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::QueryService::NewStub(channel)->GetBalance(&context, request,
                                                              reply != nullptr ? reply : &ignored);
}

grpc::Status ListAccounts(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                          int32_t page_size, bank::v1::ListAccountsResponse* reply) {
  bank::v1::ListAccountsRequest request;
  request.set_page_size(page_size);
  bank::v1::ListAccountsResponse ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::QueryService::NewStub(channel)->ListAccounts(
      &context, request, reply != nullptr ? reply : &ignored);
}

grpc::Status GetHistory(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                        const std::string& account, bank::v1::GetHistoryResponse* reply) {
  bank::v1::GetHistoryRequest request;
  request.set_account_id(account);
  bank::v1::GetHistoryResponse ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::QueryService::NewStub(channel)->GetHistory(&context, request,
                                                              reply != nullptr ? reply : &ignored);
}

grpc::Status GetStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                       bank::v1::ProjectionStatus* reply) {
  bank::v1::ProjectionStatus ignored;
  grpc::ClientContext context;
  PrepareCall(context, token);
  return bank::v1::QueryService::NewStub(channel)->GetStatus(&context, bank::v1::GetStatusRequest(),
                                                             reply != nullptr ? reply : &ignored);
}

}  // namespace bank::testing
