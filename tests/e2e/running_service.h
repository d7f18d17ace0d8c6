#ifndef BANK_TESTS_E2E_RUNNING_SERVICE_H_
#define BANK_TESTS_E2E_RUNNING_SERVICE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/subprocess.h"

namespace bank::testing {

// One of our service programs running as a child process on 127.0.0.1:0,
// with a channel to it. The destructor kills it if still running.
class RunningService {
 public:
  // The channel() has `credentials` (a service with --tls_cert needs TLS ones)
  // and `channel_args`.
  RunningService(
      const std::string& program, std::vector<std::string> args,
      std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials(),
      const grpc::ChannelArguments& channel_args = {}) {
    args.push_back("--listen=127.0.0.1:0");
    process_ = std::make_unique<Subprocess>(ProgramPath(program), args);
    address_ = process_->WaitForListenAddress();
    EXPECT_FALSE(address_.empty()) << program << " did not start:\n" << process_->Stderr();
    channel_ = NewChannel(std::move(credentials), channel_args);
  }

  // Stops the service as an operator would, if the test has not. In a
  // sanitizer build the service is built with the same sanitizer, so a report
  // on its stderr (a race, a leak found at exit) fails the test that ran it,
  // even one the test's own calls did not notice.
  ~RunningService() {
    if (!stopped_) Stop();
    const std::string err = process_->Stderr();
    EXPECT_FALSE(absl::StrContains(err, "Sanitizer:") || absl::StrContains(err, "runtime error:"))
        << "the service reported:\n"
        << err;
  }

  const std::string& address() const { return address_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // Another channel to the service, e.g. with other credentials.
  std::shared_ptr<grpc::Channel> NewChannel(std::shared_ptr<grpc::ChannelCredentials> credentials,
                                            const grpc::ChannelArguments& channel_args = {}) const {
    return grpc::CreateCustomChannel(address_, credentials, channel_args);
  }
  Subprocess& process() { return *process_; }

  // SIGTERM, then the exit code.
  int Stop() {
    stopped_ = true;
    process_->Signal(SIGTERM);
    return process_->Wait();
  }

 private:
  std::unique_ptr<Subprocess> process_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  bool stopped_ = false;
};

// A deadline `seconds` from now, for a client context.
inline std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// What grpc.health.v1.Health/Check answers for `service` ("" is the server
// as a whole), or the call's error as a negative number.
inline int HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(In(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  return status.ok() ? response.status() : -status.error_code();
}

// A DepositRequest or WithdrawRequest.
template <typename Request>
Request CommandRequest(const std::string& account, int64_t amount,
                       const std::string& command_id = "") {
  Request request;
  request.set_account_id(account);
  request.set_amount(amount);
  request.set_command_id(command_id);
  return request;
}

// Deposit and Withdraw with a 10 s deadline.
inline grpc::Status CallDeposit(bank::v1::CommandService::Stub& stub, const std::string& account,
                                int64_t amount, bank::v1::CommandReply* reply,
                                const std::string& command_id = "") {
  grpc::ClientContext context;
  context.set_deadline(In(10));
  return stub.Deposit(&context,
                      CommandRequest<bank::v1::DepositRequest>(account, amount, command_id), reply);
}

inline grpc::Status CallWithdraw(bank::v1::CommandService::Stub& stub, const std::string& account,
                                 int64_t amount, bank::v1::CommandReply* reply,
                                 const std::string& command_id = "") {
  grpc::ClientContext context;
  context.set_deadline(In(10));
  return stub.Withdraw(
      &context, CommandRequest<bank::v1::WithdrawRequest>(account, amount, command_id), reply);
}

// Reads messages from a Subscribe stream.
class Subscription {
 public:
  Subscription(bank::v1::CommandService::Stub& stub, uint64_t after) {
    bank::v1::SubscribeRequest request;
    request.set_after_position(after);
    reader_ = stub.Subscribe(&context_, request);
  }
  ~Subscription() {
    if (finished_) return;
    context_.TryCancel();
    Finish();
  }
  bool Read(bank::v1::SubscribeResponse* response) { return reader_->Read(response); }
  grpc::Status Finish() {
    finished_ = true;
    return reader_->Finish();
  }

 private:
  bool finished_ = false;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader_;
};

}  // namespace bank::testing

#endif  // BANK_TESTS_E2E_RUNNING_SERVICE_H_
