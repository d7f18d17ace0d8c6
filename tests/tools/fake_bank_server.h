#ifndef BANK_TESTS_TOOLS_FAKE_BANK_SERVER_H_
#define BANK_TESTS_TOOLS_FAKE_BANK_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"

namespace bank::bankctl::testing {

// An in-memory stand-in for the command service: balances per account, the
// contract's refusals for amount <= 0 and overdrafts, and a Subscribe that
// streams a fixed log of three events, then a heartbeat, then waits until
// cancelled. Records what it was asked. Thread-safe.
class FakeCommandService final : public bank::v1::CommandService::Service {
 public:
  grpc::Status Deposit(grpc::ServerContext* context, const bank::v1::DepositRequest* request,
                       bank::v1::CommandReply* reply) override;
  grpc::Status Withdraw(grpc::ServerContext* context, const bank::v1::WithdrawRequest* request,
                        bank::v1::CommandReply* reply) override;
  grpc::Status Subscribe(grpc::ServerContext* context, const bank::v1::SubscribeRequest* request,
                         grpc::ServerWriter<bank::v1::SubscribeResponse>* writer) override;

  // The last deposit or withdrawal request received.
  std::optional<bank::v1::DepositRequest> last_deposit() const;
  std::optional<bank::v1::WithdrawRequest> last_withdraw() const;
  std::optional<uint64_t> last_after_position() const;

 private:
  grpc::Status Apply(const std::string& account_id, int64_t delta, bank::v1::CommandReply* reply)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::pair<int64_t, uint64_t>> accounts_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<bank::v1::DepositRequest> last_deposit_ ABSL_GUARDED_BY(mu_);
  std::optional<bank::v1::WithdrawRequest> last_withdraw_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> last_after_position_ ABSL_GUARDED_BY(mu_);
};

// A fixed read model: accounts a1, a2, a3 (listed two per page), account a1's
// history of three transactions (two per page), NOT_FOUND for other accounts,
// and account "slow" whose GetBalance waits until the caller gives up.
class FakeQueryService final : public bank::v1::QueryService::Service {
 public:
  grpc::Status GetBalance(grpc::ServerContext* context, const bank::v1::GetBalanceRequest* request,
                          bank::v1::AccountBalance* reply) override;
  grpc::Status ListAccounts(grpc::ServerContext* context,
                            const bank::v1::ListAccountsRequest* request,
                            bank::v1::ListAccountsResponse* reply) override;
  grpc::Status GetHistory(grpc::ServerContext* context, const bank::v1::GetHistoryRequest* request,
                          bank::v1::GetHistoryResponse* reply) override;
};

// One service on 127.0.0.1:0 with the default health service, SERVING.
class FakeServer {
 public:
  explicit FakeServer(grpc::Service* service);
  ~FakeServer();

  std::string address() const;
  void SetServing(bool serving);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace bank::bankctl::testing

#endif  // BANK_TESTS_TOOLS_FAKE_BANK_SERVER_H_
