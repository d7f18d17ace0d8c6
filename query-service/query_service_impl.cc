#include "query-service/query_service_impl.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "common/raw_request.h"
#include "query-service/page_token.h"
#include "query-service/projection_progress.h"

namespace bank::query {
namespace {

void ToProto(absl::Time time, google::protobuf::Timestamp& out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(
      static_cast<int32_t>((time - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

void ToProto(const AccountView& view, bank::v1::AccountBalance& out) {
  out.set_account_id(view.account_id);
  out.set_balance(view.state.balance);
  out.set_version(view.state.version);
  out.set_last_position(view.state.last_position);
  out.set_as_of_position(view.as_of_position);
}

void ToProto(const TransactionRecord& record, bank::v1::Transaction& out) {
  out.set_version(record.version);
  out.set_position(record.position);
  out.set_kind(record.kind);
  out.set_amount(record.amount);
  out.set_balance_after(record.balance_after);
  out.set_command_id(record.command_id);
  out.set_principal(record.principal);
  out.set_counterparty_account_id(record.counterparty_account_id);
  ToProto(record.recorded_at, *out.mutable_recorded_at());
}

absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const std::chrono::system_clock::time_point deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

absl::Status ReadBalance(const ReadModel& store, const std::string& account_id,
                         bank::v1::AccountBalance& reply) {
  absl::StatusOr<AccountView> view = store.GetAccount(account_id);
  if (!view.ok()) return view.status();
  ToProto(*view, reply);
  return absl::OkStatus();
}

absl::Status ListAccountsPage(const ReadModel& store, const bank::v1::ListAccountsRequest& request,
                              bank::v1::ListAccountsResponse& reply) {
  absl::StatusOr<int> page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> decoded = DecodeAccountsToken(request.page_token());
    if (!decoded.ok()) return decoded.status();
    after = *std::move(decoded);
  }
  // One extra row tells whether another page follows.
  std::vector<AccountView> page = store.ListAccounts(after, *page_size + 1);
  const bool more = page.size() > static_cast<size_t>(*page_size);
  if (more) page.pop_back();
  for (const AccountView& view : page) ToProto(view, *reply.add_accounts());
  if (more) reply.set_next_page_token(EncodeAccountsToken(page.back().account_id));
  return absl::OkStatus();
}

absl::Status HistoryPage(const ReadModel& store, const bank::v1::GetHistoryRequest& request,
                         bank::v1::GetHistoryResponse& reply) {
  absl::Status valid = ValidateAccountId(request.account_id());
  if (!valid.ok()) return valid;
  absl::StatusOr<int> page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  uint64_t after = 0;
  if (!request.page_token().empty()) {
    absl::StatusOr<uint64_t> decoded =
        DecodeHistoryToken(request.page_token(), request.account_id());
    if (!decoded.ok()) return decoded.status();
    after = *decoded;
  }
  // Like GetBalance: an account with no applied event is NOT_FOUND. The
  // in-memory state is published after the commit, so its rows are readable.
  absl::StatusOr<AccountView> account = store.GetAccount(request.account_id());
  if (!account.ok()) return account.status();
  absl::StatusOr<std::vector<TransactionRecord>> records =
      store.GetHistory(request.account_id(), after, *page_size + 1);
  if (!records.ok()) return records.status();
  const bool more = records->size() > static_cast<size_t>(*page_size);
  if (more) records->pop_back();
  for (const TransactionRecord& record : *records) ToProto(record, *reply.add_transactions());
  if (more) {
    reply.set_next_page_token(EncodeHistoryToken(request.account_id(), records->back().version));
  }
  return absl::OkStatus();
}

// Reports the call, then finishes `reactor` with `status`, and with `reply`
// serialized into `out` when the status is OK.
template <typename Reply>
void FinishWith(const ObservedRpc& rpc, const ObservedRpc::Call& call,
                grpc::ServerUnaryReactor* reactor, const absl::Status& status, const Reply& reply,
                grpc::ByteBuffer* out, absl::Span<const log::Field> fields = {}) {
  if (status.ok()) SerializeReply(reply, out);
  const grpc::Status answer = ToGrpcStatus(status);
  rpc.End(call, answer, fields);
  reactor->Finish(answer);
}

// The fields of a GetBalance's log line.
std::vector<log::Field> BalanceFields(const bank::v1::GetBalanceRequest& request,
                                      const bank::v1::AccountBalance& reply) {
  return {{"account", request.account_id()},
          {"min_position", request.min_position()},
          {"position", reply.as_of_position()}};
}

// A GetBalance that waits for its min_position. The waiter callback finishes
// the call exactly once (PositionWaiters guarantees one completion); OnCancel
// only asks the waiters to complete it early. Deletes itself in OnDone, after
// which nothing touches it: the callback's last act is Finish().
class BalanceWaitReactor final : public grpc::ServerUnaryReactor {
 public:
  BalanceWaitReactor(const ReadModel* store, PositionWaiters* waiters, const ObservedRpc& rpc,
                     ObservedRpc::Call call, bank::v1::GetBalanceRequest request,
                     grpc::ByteBuffer* out)
      : store_(store),
        waiters_(waiters),
        rpc_(rpc),
        call_(std::move(call)),
        request_(std::move(request)),
        out_(out),
        id_(waiters->Reserve()) {}

  void Start(absl::Time deadline) {
    waiters_->Wait(id_, request_.min_position(), deadline, [this](absl::Status status) {
      if (status.ok()) status = ReadBalance(*store_, request_.account_id(), reply_);
      FinishWith(rpc_, call_, this, status, reply_, out_, BalanceFields(request_, reply_));
    });
  }

  void OnCancel() override { waiters_->Cancel(id_); }
  void OnDone() override { delete this; }

 private:
  const ReadModel* const store_;
  PositionWaiters* const waiters_;
  const ObservedRpc& rpc_;
  const ObservedRpc::Call call_;
  const bank::v1::GetBalanceRequest request_;
  bank::v1::AccountBalance reply_;
  grpc::ByteBuffer* const out_;
  const uint64_t id_;
};

}  // namespace

grpc::ServerUnaryReactor* QueryServiceImpl::RefuseUnlessReader(
    grpc::CallbackServerContext* context, const ObservedRpc& rpc,
    const ObservedRpc::Call& call) const {
  absl::StatusOr<std::string> caller =
      authenticator_->Authorize(*context, security::Role::kRead, rpc.name());
  if (caller.ok()) return nullptr;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const grpc::Status refused = ToGrpcStatus(caller.status());
  rpc.End(call, refused);
  reactor->Finish(refused);
  return reactor;
}

grpc::ServerUnaryReactor* QueryServiceImpl::GetBalance(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* bytes,
                                                       grpc::ByteBuffer* out) {
  ObservedRpc::Call call = get_balance_.Begin(*context);
  if (grpc::ServerUnaryReactor* refused = RefuseUnlessReader(context, get_balance_, call)) {
    return refused;
  }
  bank::v1::GetBalanceRequest request;
  absl::Status status = ParseRequest(*bytes, &request);
  if (status.ok()) status = ValidateAccountId(request.account_id());
  if (status.ok() && request.min_position() > store_->applied_position()) {
    auto* reactor = new BalanceWaitReactor(store_, waiters_, get_balance_, std::move(call),
                                           std::move(request), out);
    reactor->Start(DeadlineOf(*context));
    return reactor;
  }
  bank::v1::AccountBalance reply;
  if (status.ok()) status = ReadBalance(*store_, request.account_id(), reply);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  FinishWith(get_balance_, call, reactor, status, reply, out, BalanceFields(request, reply));
  return reactor;
}

grpc::ServerUnaryReactor* QueryServiceImpl::ListAccounts(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* bytes,
                                                         grpc::ByteBuffer* out) {
  const ObservedRpc::Call call = list_accounts_.Begin(*context);
  if (grpc::ServerUnaryReactor* refused = RefuseUnlessReader(context, list_accounts_, call)) {
    return refused;
  }
  bank::v1::ListAccountsRequest request;
  bank::v1::ListAccountsResponse reply;
  absl::Status status = ParseRequest(*bytes, &request);
  if (status.ok()) status = ListAccountsPage(*store_, request, reply);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  FinishWith(list_accounts_, call, reactor, status, reply, out,
             {{"accounts", static_cast<uint64_t>(reply.accounts_size())}});
  return reactor;
}

grpc::ServerUnaryReactor* QueryServiceImpl::GetHistory(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* bytes,
                                                       grpc::ByteBuffer* out) {
  const ObservedRpc::Call call = get_history_.Begin(*context);
  if (grpc::ServerUnaryReactor* refused = RefuseUnlessReader(context, get_history_, call)) {
    return refused;
  }
  bank::v1::GetHistoryRequest request;
  bank::v1::GetHistoryResponse reply;
  absl::Status status = ParseRequest(*bytes, &request);
  if (status.ok()) status = HistoryPage(*store_, request, reply);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  FinishWith(get_history_, call, reactor, status, reply, out,
             {{"account", request.account_id()},
              {"transactions", static_cast<uint64_t>(reply.transactions_size())}});
  return reactor;
}

grpc::ServerUnaryReactor* QueryServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                      const bank::v1::GetStatusRequest*,
                                                      bank::v1::ProjectionStatus* reply) {
  const ObservedRpc::Call call = get_status_.Begin(*context);
  if (grpc::ServerUnaryReactor* refused = RefuseUnlessReader(context, get_status_, call)) {
    return refused;
  }
  const ProjectionProgress progress = ProgressOf(*store_, *source_);
  reply->set_applied_position(progress.applied);
  reply->set_source_head_position(progress.source_head);
  reply->set_source_connected(progress.source_connected);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  get_status_.End(call, grpc::Status::OK, {{"position", progress.applied}});
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace bank::query
