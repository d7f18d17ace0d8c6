#ifndef BANK_COMMAND_SERVICE_COMMAND_SERVICE_IMPL_H_
#define BANK_COMMAND_SERVICE_COMMAND_SERVICE_IMPL_H_

#include "bank/v1/command_service.grpc.pb.h"
#include "command-service/command_handler.h"
#include "command-service/subscription_hub.h"
#include "common/observability/observed_rpc.h"
#include "common/observability/rpc_metrics.h"
#include "common/security/authenticator.h"

namespace bank::command {

// The gRPC edge of the write side: turns requests into domain commands, hands
// them to the handler and finishes each call when the handler answers (once
// the event is durable, on whichever gRPC thread committed it). No business
// rule here. Each rpc first asks the authenticator whether its caller has the
// rpc's role; the caller's name goes into the events as their principal.
// Each answered command is reported (ObservedRpc: its metrics and its log
// line) before the reply leaves.
// Commands take their requests raw, so that one protobuf cannot
// parse is INVALID_ARGUMENT (see common/raw_request.h).
class CommandServiceImpl final : public bank::v1::CommandService::WithRawCallbackMethod_Deposit<
                                     bank::v1::CommandService::WithRawCallbackMethod_Withdraw<
                                         bank::v1::CommandService::WithRawCallbackMethod_Transfer<
                                             bank::v1::CommandService::CallbackService>>> {
 public:
  // All four must outlive the service; `metrics` is null when the service
  // serves none.
  CommandServiceImpl(CommandHandler& handler, SubscriptionHub& subscriptions,
                     const security::Authenticator& authenticator, metrics::RpcMetrics* metrics)
      : handler_(handler),
        subscriptions_(subscriptions),
        authenticator_(authenticator),
        deposit_("Deposit", metrics),
        withdraw_("Withdraw", metrics),
        transfer_("Transfer", metrics) {}

  grpc::ServerUnaryReactor* Deposit(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* Withdraw(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* Transfer(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* reply) override;
  grpc::ServerWriteReactor<bank::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const bank::v1::SubscribeRequest* request) override;

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context, CommandKind kind,
                                    const ObservedRpc& rpc, const grpc::ByteBuffer& bytes,
                                    grpc::ByteBuffer* reply);

  CommandHandler& handler_;
  SubscriptionHub& subscriptions_;
  const security::Authenticator& authenticator_;
  const ObservedRpc deposit_;
  const ObservedRpc withdraw_;
  const ObservedRpc transfer_;
};

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_SERVICE_IMPL_H_
