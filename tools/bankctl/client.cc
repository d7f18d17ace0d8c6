#include "tools/bankctl/client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"

namespace bank::bankctl {
namespace {

// The largest page the query service serves; fewer round trips for big listings.
constexpr int32_t kPageSize = 1000;

// Takes the response only after the call has filled it.
template <typename Response>
absl::StatusOr<Response> Result(const grpc::Status& status, Response& response) {
  if (!status.ok()) return FromGrpcStatus(status);
  return std::move(response);
}

// A server that hands back the token it was given would make the walk loop
// forever; that is a server bug, reported as such.
absl::Status CheckProgress(const std::string& sent, const std::string& next) {
  if (!next.empty() && next == sent) {
    return absl::InternalError(
        absl::StrCat("server returned the same page token twice: \"", next, "\""));
  }
  return absl::OkStatus();
}

// OK once `channel` is connected; UNAVAILABLE as soon as a connection attempt
// fails (refused, unresolvable) or when `deadline` passes first. Waiting for
// READY alone would spend the whole deadline on a refused port, which gRPC
// keeps retrying.
absl::Status AwaitConnected(grpc::Channel& channel, absl::Time deadline) {
  for (grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
       state != GRPC_CHANNEL_READY; state = channel.GetState(/*try_to_connect=*/true)) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return absl::UnavailableError("cannot connect");
    }
    if (!channel.WaitForStateChange(state, absl::ToChronoTime(deadline))) {
      return absl::UnavailableError("did not connect within the timeout");
    }
  }
  return absl::OkStatus();
}

}  // namespace

BankClient::BankClient(ClientOptions options)
    : options_(std::move(options)),
      query_channel_(grpc::CreateChannel(options_.query_address, options_.security.credentials())),
      query_(bank::v1::QueryService::NewStub(query_channel_)) {
  if (options_.command_addresses.size() == 1) {
    // Nothing to choose from: the call itself finds out whether it answers.
    absl::MutexLock lock(&mu_);
    command_address_ = options_.command_addresses.front();
    command_channel_ = grpc::CreateChannel(command_address_, options_.security.credentials());
    command_ = bank::v1::CommandService::NewStub(command_channel_);
  }
}

std::string BankClient::command_address() const {
  absl::MutexLock lock(&mu_);
  if (!command_address_.empty()) return command_address_;
  return absl::StrJoin(options_.command_addresses, ",");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> BankClient::CommandChannel() {
  absl::MutexLock lock(&mu_);
  if (command_channel_ != nullptr) return command_channel_;
  std::vector<std::string> failures;
  for (const std::string& address : options_.command_addresses) {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(address, options_.security.credentials());
    const absl::Status connected = AwaitConnected(*channel, absl::Now() + options_.timeout);
    if (connected.ok()) {
      command_address_ = address;
      command_channel_ = std::move(channel);
      command_ = bank::v1::CommandService::NewStub(command_channel_);
      return command_channel_;
    }
    failures.push_back(absl::StrCat(address, " ", connected.message()));
  }
  return absl::UnavailableError(
      absl::StrCat("no command service replica answered (", absl::StrJoin(failures, "; "), ")"));
}

absl::StatusOr<bank::v1::CommandService::Stub*> BankClient::Command() {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = CommandChannel();
  if (!channel.ok()) return channel.status();
  absl::MutexLock lock(&mu_);
  return command_.get();
}

void BankClient::PrepareUnary(grpc::ClientContext& context) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  options_.security.Authorize(context);
}

absl::StatusOr<bank::v1::CommandReply> BankClient::Deposit(
    const bank::v1::DepositRequest& request) {
  absl::StatusOr<bank::v1::CommandService::Stub*> command = Command();
  if (!command.ok()) return command.status();
  grpc::ClientContext context;
  PrepareUnary(context);
  bank::v1::CommandReply reply;
  const grpc::Status status = (*command)->Deposit(&context, request, &reply);
  return Result(status, reply);
}

absl::StatusOr<bank::v1::CommandReply> BankClient::Withdraw(
    const bank::v1::WithdrawRequest& request) {
  absl::StatusOr<bank::v1::CommandService::Stub*> command = Command();
  if (!command.ok()) return command.status();
  grpc::ClientContext context;
  PrepareUnary(context);
  bank::v1::CommandReply reply;
  const grpc::Status status = (*command)->Withdraw(&context, request, &reply);
  return Result(status, reply);
}

absl::StatusOr<bank::v1::TransferReply> BankClient::Transfer(
    const bank::v1::TransferRequest& request) {
  absl::StatusOr<bank::v1::CommandService::Stub*> command = Command();
  if (!command.ok()) return command.status();
  grpc::ClientContext context;
  PrepareUnary(context);
  bank::v1::TransferReply reply;
  const grpc::Status status = (*command)->Transfer(&context, request, &reply);
  return Result(status, reply);
}

absl::StatusOr<bank::v1::AccountBalance> BankClient::GetBalance(const std::string& account_id) {
  grpc::ClientContext context;
  PrepareUnary(context);
  bank::v1::GetBalanceRequest request;
  request.set_account_id(account_id);
  bank::v1::AccountBalance reply;
  const grpc::Status status = query_->GetBalance(&context, request, &reply);
  return Result(status, reply);
}

absl::Status BankClient::ListAccounts(
    const std::function<void(const bank::v1::AccountBalance&)>& each) {
  bank::v1::ListAccountsRequest request;
  request.set_page_size(kPageSize);
  while (true) {
    grpc::ClientContext context;
    PrepareUnary(context);
    bank::v1::ListAccountsResponse page;
    grpc::Status status = query_->ListAccounts(&context, request, &page);
    if (!status.ok()) return FromGrpcStatus(status);
    for (const bank::v1::AccountBalance& account : page.accounts()) each(account);
    if (page.next_page_token().empty()) return absl::OkStatus();
    if (absl::Status progress = CheckProgress(request.page_token(), page.next_page_token());
        !progress.ok()) {
      return progress;
    }
    request.set_page_token(page.next_page_token());
  }
}

absl::Status BankClient::GetHistory(const std::string& account_id,
                                    const std::function<void(const bank::v1::Transaction&)>& each) {
  bank::v1::GetHistoryRequest request;
  request.set_account_id(account_id);
  request.set_page_size(kPageSize);
  while (true) {
    grpc::ClientContext context;
    PrepareUnary(context);
    bank::v1::GetHistoryResponse page;
    grpc::Status status = query_->GetHistory(&context, request, &page);
    if (!status.ok()) return FromGrpcStatus(status);
    for (const bank::v1::Transaction& transaction : page.transactions()) each(transaction);
    if (page.next_page_token().empty()) return absl::OkStatus();
    if (absl::Status progress = CheckProgress(request.page_token(), page.next_page_token());
        !progress.ok()) {
      return progress;
    }
    request.set_page_token(page.next_page_token());
  }
}

absl::Status BankClient::Subscribe(
    uint64_t after_position, grpc::ClientContext* context,
    const std::function<void(const bank::v1::SubscribeResponse&)>& each) {
  absl::StatusOr<bank::v1::CommandService::Stub*> command = Command();
  if (!command.ok()) return command.status();
  bank::v1::SubscribeRequest request;
  request.set_after_position(after_position);
  options_.security.Authorize(*context);
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
      (*command)->Subscribe(context, request);
  bank::v1::SubscribeResponse message;
  while (reader->Read(&message)) each(message);
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> BankClient::CheckHealth(
    Service service) {
  std::shared_ptr<grpc::Channel> channel = query_channel_;
  if (service == Service::kCommand) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> command = CommandChannel();
    if (!command.ok()) return command.status();
    channel = *std::move(command);
  }
  std::unique_ptr<grpc::health::v1::Health::Stub> stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  PrepareUnary(context);
  grpc::health::v1::HealthCheckRequest request;  // service "": the server as a whole
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.status();
}

}  // namespace bank::bankctl
