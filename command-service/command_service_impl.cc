#include "command-service/command_service_impl.h"

#include <utility>

#include "common/grpc_status.h"
#include "common/raw_request.h"
#include "common/refused_call.h"

namespace bank::command {

namespace {

// Reports the call, then answers it: a client that has its reply finds the
// call in the metrics already.
void Answer(const ObservedRpc& rpc, const ObservedRpc::Call& call,
            grpc::ServerUnaryReactor* reactor, const absl::Status& status,
            absl::Span<const log::Field> fields = {}) {
  const grpc::Status answer = ToGrpcStatus(status);
  rpc.End(call, answer, fields);
  reactor->Finish(answer);
}

}  // namespace

template <typename Request>
grpc::ServerUnaryReactor* CommandServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                      CommandKind kind, const ObservedRpc& rpc,
                                                      const grpc::ByteBuffer& bytes,
                                                      grpc::ByteBuffer* reply) {
  ObservedRpc::Call call = rpc.Begin(*context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> principal =
      authenticator_.Authorize(*context, security::Role::kWrite, CommandName(kind));
  if (!principal.ok()) {
    Answer(rpc, call, reactor, principal.status());
    return reactor;
  }
  Request request;
  if (absl::Status parsed = ParseRequest(bytes, &request); !parsed.ok()) {
    Answer(rpc, call, reactor, parsed);
    return reactor;
  }
  Command command{
      .kind = kind,
      .account_id = request.account_id(),
      .amount = request.amount(),
      .command_id = request.command_id(),
      .expected_version = request.has_expected_version()
                              ? std::optional<uint64_t>(request.expected_version())
                              : std::nullopt,
      .principal = *std::move(principal),
      .to_account_id = "",
  };
  handler_.Execute(std::move(command), [&rpc, call = std::move(call), reactor,
                                        reply](absl::StatusOr<bank::v1::CommandReply> answer) {
    if (!answer.ok()) {
      Answer(rpc, call, reactor, answer.status());
      return;
    }
    SerializeReply(*answer, reply);
    Answer(rpc, call, reactor, absl::OkStatus(),
           {{"account", answer->account_id()}, {"position", answer->position()}});
  });
  return reactor;
}

grpc::ServerUnaryReactor* CommandServiceImpl::Deposit(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* reply) {
  return Execute<bank::v1::DepositRequest>(context, CommandKind::kDeposit, deposit_, *request,
                                           reply);
}

grpc::ServerUnaryReactor* CommandServiceImpl::Withdraw(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* reply) {
  return Execute<bank::v1::WithdrawRequest>(context, CommandKind::kWithdraw, withdraw_, *request,
                                            reply);
}

grpc::ServerUnaryReactor* CommandServiceImpl::Transfer(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* reply) {
  ObservedRpc::Call call = transfer_.Begin(*context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> principal =
      authenticator_.Authorize(*context, security::Role::kWrite, "transfer");
  if (!principal.ok()) {
    Answer(transfer_, call, reactor, principal.status());
    return reactor;
  }
  bank::v1::TransferRequest parsed;
  if (absl::Status status = ParseRequest(*request, &parsed); !status.ok()) {
    Answer(transfer_, call, reactor, status);
    return reactor;
  }
  Command command{
      .kind = CommandKind::kTransfer,
      .account_id = parsed.from_account_id(),
      .amount = parsed.amount(),
      .command_id = parsed.command_id(),
      .expected_version = parsed.has_expected_from_version()
                              ? std::optional<uint64_t>(parsed.expected_from_version())
                              : std::nullopt,
      .principal = *std::move(principal),
      .to_account_id = parsed.to_account_id(),
  };
  handler_.ExecuteTransfer(std::move(command), [this, call = std::move(call), reactor, reply](
                                                   absl::StatusOr<bank::v1::TransferReply> answer) {
    if (!answer.ok()) {
      Answer(transfer_, call, reactor, answer.status());
      return;
    }
    SerializeReply(*answer, reply);
    Answer(transfer_, call, reactor, absl::OkStatus(),
           {{"account", answer->from_account().account_id()},
            {"position", answer->from_account().position()}});
  });
  return reactor;
}

grpc::ServerWriteReactor<bank::v1::SubscribeResponse>* CommandServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const bank::v1::SubscribeRequest* request) {
  if (absl::StatusOr<std::string> caller =
          authenticator_.Authorize(*context, security::Role::kSubscribe, "Subscribe");
      !caller.ok()) {
    return new RefusedCall<grpc::ServerWriteReactor<bank::v1::SubscribeResponse>>(
        ToGrpcStatus(caller.status()));
  }
  return subscriptions_.Subscribe(context, request->after_position());
}

}  // namespace bank::command
