#ifndef BANK_TOOLS_BANKCTL_CLIENT_H_
#define BANK_TOOLS_BANKCTL_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "common/security/client_security.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bank::bankctl {

// Where the services are and how long one call may take.
struct ClientOptions {
  // The command service: one address, or replicas of it in the order to try
  // (see BankClient). Not empty.
  std::vector<std::string> command_addresses = {"127.0.0.1:50051"};
  std::string query_address = "127.0.0.1:50052";
  // Deadline of every unary call, and of each page of a listing. Subscribe
  // has none: it runs until cancelled.
  absl::Duration timeout = absl::Seconds(10);
  // The channels' credentials and the token every call carries.
  security::ClientSecurity security;
};

// Which service a health check asks.
enum class Service { kCommand, kQuery };

// Thin synchronous wrapper over the command, query and health stubs: every
// call returns the server's gRPC status as an absl::Status with code and
// message unchanged, so the caller maps codes to exit statuses in one place.
// Calls fail fast (no wait-for-ready): a refused connection is UNAVAILABLE at
// once. Channels connect lazily, on the first call that needs them.
//
// With several command-service replicas, the first call to the command
// service picks one: the first, in order, whose channel connects within
// `timeout` (a refused connection moves on at once). Every later call goes to
// that replica, and a call is sent once: resending a command to another
// replica after it may have been recorded is safe only with a command_id, so
// failover happens before sending, never after. No replica connecting is
// UNAVAILABLE naming each one's failure. One address is not probed.
// Thread-safe, as the gRPC stubs are.
class BankClient {
 public:
  explicit BankClient(ClientOptions options);

  const ClientOptions& options() const { return options_; }
  // The command-service replica in use, or the whole list, comma-separated,
  // while none has been picked.
  std::string command_address() const ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<bank::v1::CommandReply> Deposit(const bank::v1::DepositRequest& request);
  absl::StatusOr<bank::v1::CommandReply> Withdraw(const bank::v1::WithdrawRequest& request);
  absl::StatusOr<bank::v1::TransferReply> Transfer(const bank::v1::TransferRequest& request);
  absl::StatusOr<bank::v1::AccountBalance> GetBalance(const std::string& account_id);

  // Walks every page of ListAccounts, calling `each` per account in the
  // server's order. On an error after some pages, the accounts already passed
  // to `each` stay passed and the error is returned.
  absl::Status ListAccounts(const std::function<void(const bank::v1::AccountBalance&)>& each);

  // Walks every page of GetHistory for `account_id`, like ListAccounts.
  absl::Status GetHistory(const std::string& account_id,
                          const std::function<void(const bank::v1::Transaction&)>& each);

  // Streams Subscribe from `after_position`, calling `each` per message
  // (heartbeats included), until the stream ends or `context` is cancelled
  // from another thread with TryCancel(); then returns the final status
  // (CANCELLED in the latter case). `context` must be fresh.
  absl::Status Subscribe(uint64_t after_position, grpc::ClientContext* context,
                         const std::function<void(const bank::v1::SubscribeResponse&)>& each);

  // grpc.health.v1.Health/Check for the whole server (service "").
  absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> CheckHealth(Service service);

 private:
  // Sets the per-call deadline on a fresh context.
  void PrepareUnary(grpc::ClientContext& context) const;
  // The command service's channel, picking the replica on first use.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> CommandChannel() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<bank::v1::CommandService::Stub*> Command() ABSL_LOCKS_EXCLUDED(mu_);

  const ClientOptions options_;
  // Held while a replica is picked, so that concurrent first calls wait for
  // one pick rather than each probing.
  mutable absl::Mutex mu_;
  std::string command_address_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> command_channel_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<bank::v1::CommandService::Stub> command_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> query_channel_;
  std::unique_ptr<bank::v1::QueryService::Stub> query_;
};

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_CLIENT_H_
