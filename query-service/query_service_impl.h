#ifndef BANK_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
#define BANK_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_

#include <grpcpp/grpcpp.h>

#include "absl/strings/string_view.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "common/observability/observed_rpc.h"
#include "common/observability/rpc_metrics.h"
#include "common/security/authenticator.h"
#include "query-service/position_waiters.h"
#include "query-service/read_model.h"
#include "query-service/source_status.h"

namespace bank::query {

// bank.v1.QueryService on gRPC's callback API: validates and translates
// requests, asks the store, maps the result to a status (ToGrpcStatus, the one
// place) and finishes. No handler blocks: reads are in-memory or one indexed
// SQLite range scan, and GetBalance with an unapplied min_position registers a
// PositionWaiters callback that finishes the call later (applied, deadline,
// cancellation or shutdown).
//
// Every rpc first asks the authenticator for a caller with the `read` role
// (UNAUTHENTICATED, PERMISSION_DENIED). Errors: INVALID_ARGUMENT for a bad account_id, a negative
// page_size or a bad page_token; NOT_FOUND for an account with no applied event; DEADLINE_EXCEEDED
// when min_position is not applied by the call's deadline; UNAVAILABLE while shutting down.
//
// GetBalance, ListAccounts and GetHistory take their requests raw, so that one
// protobuf cannot parse (a string that is not UTF-8) is INVALID_ARGUMENT (see
// common/raw_request.h).
//
// Each answered call is reported (ObservedRpc: its metrics and its log line)
// before the reply leaves.
//
// Does not own its collaborators, which must outlive the server. Thread-safe.
class QueryServiceImpl final : public bank::v1::QueryService::WithRawCallbackMethod_GetBalance<
                                   bank::v1::QueryService::WithRawCallbackMethod_ListAccounts<
                                       bank::v1::QueryService::WithRawCallbackMethod_GetHistory<
                                           bank::v1::QueryService::CallbackService>>> {
 public:
  // `metrics` is null when the service serves none.
  QueryServiceImpl(const ReadModel* store, PositionWaiters* waiters, const SourceStatus* source,
                   const security::Authenticator* authenticator, metrics::RpcMetrics* metrics)
      : store_(store),
        waiters_(waiters),
        source_(source),
        authenticator_(authenticator),
        get_balance_("GetBalance", metrics),
        list_accounts_("ListAccounts", metrics),
        get_history_("GetHistory", metrics),
        get_status_("GetStatus", metrics) {}

  grpc::ServerUnaryReactor* GetBalance(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* ListAccounts(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const bank::v1::GetStatusRequest* request,
                                      bank::v1::ProjectionStatus* reply) override;

 private:
  // Null when the caller of `context` has the `read` role; otherwise the
  // call, finished with UNAUTHENTICATED or PERMISSION_DENIED.
  grpc::ServerUnaryReactor* RefuseUnlessReader(grpc::CallbackServerContext* context,
                                               const ObservedRpc& rpc,
                                               const ObservedRpc::Call& call) const;

  const ReadModel* const store_;
  PositionWaiters* const waiters_;
  const SourceStatus* const source_;
  const security::Authenticator* const authenticator_;
  const ObservedRpc get_balance_;
  const ObservedRpc list_accounts_;
  const ObservedRpc get_history_;
  const ObservedRpc get_status_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
