#ifndef BANK_TESTS_E2E_RUNNING_SERVICE_H_
#define BANK_TESTS_E2E_RUNNING_SERVICE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace bank::testing {

// One of our service programs running as a child process on 127.0.0.1:0,
// with a channel to it. The destructor kills it if still running.
class RunningService {
 public:
  RunningService(const std::string& program, std::vector<std::string> args) {
    args.push_back("--listen=127.0.0.1:0");
    process_ = std::make_unique<Subprocess>(ProgramPath(program), args);
    address_ = process_->WaitForListenAddress();
    EXPECT_FALSE(address_.empty()) << program << " did not start:\n" << process_->Stderr();
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  }

  const std::string& address() const { return address_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  Subprocess& process() { return *process_; }

  // SIGTERM, then the exit code.
  int Stop() {
    process_->Signal(SIGTERM);
    return process_->Wait();
  }

 private:
  std::unique_ptr<Subprocess> process_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A deadline `seconds` from now, for a client context.
inline std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

}  // namespace bank::testing

#endif  // BANK_TESTS_E2E_RUNNING_SERVICE_H_
