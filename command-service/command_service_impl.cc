#include "command-service/command_service_impl.h"

#include <utility>

#include "common/grpc_status.h"

namespace bank::command {

template <typename Request>
grpc::ServerUnaryReactor* CommandServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                      CommandKind kind, const Request& request,
                                                      bank::v1::CommandReply* reply) {
  Command command{
      .kind = kind,
      .account_id = request.account_id(),
      .amount = request.amount(),
      .command_id = request.command_id(),
      .expected_version = request.has_expected_version()
                              ? std::optional<uint64_t>(request.expected_version())
                              : std::nullopt,
  };
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  handler_.Execute(std::move(command),
                   [reactor, reply](absl::StatusOr<bank::v1::CommandReply> answer) {
                     if (answer.ok()) *reply = std::move(*answer);
                     reactor->Finish(ToGrpcStatus(answer.status()));
                   });
  return reactor;
}

grpc::ServerUnaryReactor* CommandServiceImpl::Deposit(grpc::CallbackServerContext* context,
                                                      const bank::v1::DepositRequest* request,
                                                      bank::v1::CommandReply* reply) {
  return Execute(context, CommandKind::kDeposit, *request, reply);
}

grpc::ServerUnaryReactor* CommandServiceImpl::Withdraw(grpc::CallbackServerContext* context,
                                                       const bank::v1::WithdrawRequest* request,
                                                       bank::v1::CommandReply* reply) {
  return Execute(context, CommandKind::kWithdraw, *request, reply);
}

grpc::ServerWriteReactor<bank::v1::SubscribeResponse>* CommandServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const bank::v1::SubscribeRequest* request) {
  return subscriptions_.Subscribe(context, request->after_position());
}

}  // namespace bank::command
