#include "tests/tools/fake_bank_server.h"

#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace bank::bankctl::testing {
namespace {

bank::v1::Event MakeEvent(uint64_t position, const std::string& account, uint64_t version,
                          int64_t amount, const std::string& command_id) {
  bank::v1::Event event;
  event.set_position(position);
  event.set_account_id(account);
  event.set_version(version);
  event.set_command_id(command_id);
  event.mutable_recorded_at()->set_seconds(1714564800);  // 2024-05-01T12:00:00Z
  if (amount >= 0) {
    event.mutable_deposited()->set_amount(amount);
  } else {
    event.mutable_withdrawn()->set_amount(-amount);
  }
  return event;
}

bank::v1::AccountBalance MakeBalance(const std::string& account, int64_t balance, uint64_t version,
                                     uint64_t last_position) {
  bank::v1::AccountBalance out;
  out.set_account_id(account);
  out.set_balance(balance);
  out.set_version(version);
  out.set_last_position(last_position);
  out.set_as_of_position(9);
  return out;
}

bank::v1::Transaction MakeTransaction(uint64_t version, uint64_t position, int64_t amount,
                                      int64_t balance_after, const std::string& command_id) {
  bank::v1::Transaction out;
  out.set_version(version);
  out.set_position(position);
  out.set_kind(amount >= 0 ? bank::v1::Transaction::DEPOSIT : bank::v1::Transaction::WITHDRAWAL);
  out.set_amount(amount >= 0 ? amount : -amount);
  out.set_balance_after(balance_after);
  out.set_command_id(command_id);
  return out;
}

}  // namespace

grpc::Status FakeCommandService::Apply(const std::string& account_id, int64_t delta,
                                       bank::v1::CommandReply* reply) {
  auto& [balance, version] = accounts_[account_id];
  balance += delta;
  ++version;
  reply->set_account_id(account_id);
  reply->set_balance(balance);
  reply->set_version(version);
  reply->set_position(++position_);
  return grpc::Status::OK;
}

grpc::Status FakeCommandService::Deposit(grpc::ServerContext*,
                                         const bank::v1::DepositRequest* request,
                                         bank::v1::CommandReply* reply) {
  absl::MutexLock lock(&mu_);
  last_deposit_ = *request;
  if (request->amount() <= 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "amount must be positive");
  }
  return Apply(request->account_id(), request->amount(), reply);
}

grpc::Status FakeCommandService::Withdraw(grpc::ServerContext*,
                                          const bank::v1::WithdrawRequest* request,
                                          bank::v1::CommandReply* reply) {
  absl::MutexLock lock(&mu_);
  last_withdraw_ = *request;
  if (request->amount() <= 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "amount must be positive");
  }
  const int64_t balance = accounts_[request->account_id()].first;
  if (request->amount() > balance) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("insufficient funds: balance ", balance, ", withdrawal ", request->amount()));
  }
  return Apply(request->account_id(), -request->amount(), reply);
}

grpc::Status FakeCommandService::Subscribe(
    grpc::ServerContext* context, const bank::v1::SubscribeRequest* request,
    grpc::ServerWriter<bank::v1::SubscribeResponse>* writer) {
  {
    absl::MutexLock lock(&mu_);
    last_after_position_ = request->after_position();
  }
  const bank::v1::Event log[] = {MakeEvent(1, "a1", 1, 100, "c-1"), MakeEvent(2, "a2", 1, 50, ""),
                                 MakeEvent(3, "a1", 2, -40, "c-3")};
  bank::v1::SubscribeResponse batch;
  batch.set_head_position(3);
  for (const bank::v1::Event& event : log) {
    if (event.position() > request->after_position()) *batch.add_events() = event;
  }
  if (!writer->Write(batch)) return grpc::Status::OK;
  bank::v1::SubscribeResponse heartbeat;
  heartbeat.set_head_position(3);
  if (!writer->Write(heartbeat)) return grpc::Status::OK;
  while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return grpc::Status::CANCELLED;
}

std::optional<bank::v1::DepositRequest> FakeCommandService::last_deposit() const {
  absl::MutexLock lock(&mu_);
  return last_deposit_;
}

std::optional<bank::v1::WithdrawRequest> FakeCommandService::last_withdraw() const {
  absl::MutexLock lock(&mu_);
  return last_withdraw_;
}

std::optional<uint64_t> FakeCommandService::last_after_position() const {
  absl::MutexLock lock(&mu_);
  return last_after_position_;
}

grpc::Status FakeQueryService::GetBalance(grpc::ServerContext* context,
                                          const bank::v1::GetBalanceRequest* request,
                                          bank::v1::AccountBalance* reply) {
  if (request->account_id() == "slow") {
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return grpc::Status::CANCELLED;
  }
  if (request->account_id() != "a1") {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no account ", request->account_id()));
  }
  *reply = MakeBalance("a1", 60, 2, 3);
  return grpc::Status::OK;
}

grpc::Status FakeQueryService::ListAccounts(grpc::ServerContext*,
                                            const bank::v1::ListAccountsRequest* request,
                                            bank::v1::ListAccountsResponse* reply) {
  if (request->page_token().empty()) {
    *reply->add_accounts() = MakeBalance("a1", 60, 2, 3);
    *reply->add_accounts() = MakeBalance("a2", 50, 1, 2);
    reply->set_next_page_token("after-a2");
  } else if (request->page_token() == "after-a2") {
    *reply->add_accounts() = MakeBalance("a3", 0, 0, 0);
  } else {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page token");
  }
  return grpc::Status::OK;
}

grpc::Status FakeQueryService::GetHistory(grpc::ServerContext*,
                                          const bank::v1::GetHistoryRequest* request,
                                          bank::v1::GetHistoryResponse* reply) {
  if (request->account_id() != "a1") {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no account ", request->account_id()));
  }
  if (request->page_token().empty()) {
    *reply->add_transactions() = MakeTransaction(1, 1, 100, 100, "c-1");
    *reply->add_transactions() = MakeTransaction(2, 3, -40, 60, "");
    reply->set_next_page_token("v3");
  } else if (request->page_token() == "v3") {
    *reply->add_transactions() = MakeTransaction(3, 7, 5, 65, "c-7");
  } else {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page token");
  }
  return grpc::Status::OK;
}

FakeServer::FakeServer(grpc::Service* service) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  SetServing(true);
}

FakeServer::~FakeServer() {
  // Long-lived calls (Subscribe, the "slow" balance) are cancelled at once.
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

std::string FakeServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void FakeServer::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

}  // namespace bank::bankctl::testing
