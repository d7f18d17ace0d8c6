// The real command-service program driven over gRPC: the behaviour table on
// the wire, restarts keeping the data, and Subscribe.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::RunningService;
using ::bank::testing::RunToCompletion;
using ::bank::testing::Subscription;

class CommandServiceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = ::testing::TempDir() + "/command_e2e." + std::to_string(::getpid()) + "." +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(data_dir_);
    Start();
  }

  void Start() {
    service_ = std::make_unique<RunningService>(
        "command-service", std::vector<std::string>{"--data_dir=" + data_dir_});
    stub_ = bank::v1::CommandService::NewStub(service_->channel());
  }

  grpc::Status Deposit(const std::string& account, int64_t amount, bank::v1::CommandReply* reply,
                       const std::string& command_id = "") {
    return ::bank::testing::CallDeposit(*stub_, account, amount, reply, command_id);
  }

  grpc::Status Withdraw(const std::string& account, int64_t amount, bank::v1::CommandReply* reply,
                        const std::string& command_id = "") {
    return ::bank::testing::CallWithdraw(*stub_, account, amount, reply, command_id);
  }

  std::string data_dir_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<bank::v1::CommandService::Stub> stub_;
};

TEST_F(CommandServiceE2eTest, CommandsOverTheWireWithTheContractsCodes) {
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit("acc1", 100, &reply).ok());
  EXPECT_EQ(reply.balance(), 100);
  grpc::Status withdraw = Withdraw("acc1", 140, &reply);
  EXPECT_EQ(withdraw.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(withdraw.error_message(), "insufficient funds: balance 100, withdrawal 140");
  EXPECT_EQ(Withdraw("bad id", 1000, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Deposit("acc1", 0, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Withdraw("acc1", 40, &reply).ok());
  EXPECT_EQ(reply.balance(), 60);
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_EQ(reply.position(), 2u);
}

TEST_F(CommandServiceE2eTest, SigtermThenRestartKeepsTheDataAndTheIdempotencyKeys) {
  bank::v1::CommandReply original;
  ASSERT_TRUE(Deposit("acc1", 100, &original, "cmd-1").ok());
  // The client keeps its connection open: shutdown must not wait for it.
  const absl::Time stop = absl::Now();
  EXPECT_EQ(service_->Stop(), 0);
  EXPECT_LT(absl::Now() - stop, absl::Seconds(2));
  EXPECT_TRUE(absl::StrContains(service_->process().Stderr(), "stopped cleanly"))
      << service_->process().Stderr();
  Start();
  bank::v1::CommandReply retry;
  ASSERT_TRUE(Deposit("acc1", 100, &retry, "cmd-1").ok());
  EXPECT_EQ(retry.SerializeAsString(), original.SerializeAsString());
  bank::v1::CommandReply next;
  ASSERT_TRUE(Withdraw("acc1", 40, &next).ok());
  EXPECT_EQ(next.balance(), 60);
  EXPECT_EQ(next.position(), 2u);
}

TEST_F(CommandServiceE2eTest, SecondProcessOnTheSameDataDirectoryIsRefused) {
  auto second = RunToCompletion(::bank::testing::ProgramPath("command-service"),
                                {"--listen=127.0.0.1:0", "--data_dir=" + data_dir_});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(second.err, "in use by another process")) << second.err;
}

TEST_F(CommandServiceE2eTest, CommandIdRetentionBelowTheContractsMinimumIsRefused) {
  auto refused = RunToCompletion(::bank::testing::ProgramPath("command-service"),
                                 {"--listen=127.0.0.1:0", "--data_dir=" + data_dir_ + "-short",
                                  "--command_id_retention=999999"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(refused.err, "below the contract's 1000000")) << refused.err;
}

TEST_F(CommandServiceE2eTest, CommandIdRetentionAboveWhatTheIndexCanNumberIsRefused) {
  auto refused = RunToCompletion(::bank::testing::ProgramPath("command-service"),
                                 {"--listen=127.0.0.1:0", "--data_dir=" + data_dir_ + "-long",
                                  "--command_id_retention=2147483649"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(refused.err, "above the most it can keep, 2147483648"))
      << refused.err;
}

TEST_F(CommandServiceE2eTest, CorruptLogRefusesToStartWithDataLoss) {
  bank::v1::CommandReply reply;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Deposit("acc1", 10, &reply).ok());
  ASSERT_EQ(service_->Stop(), 0);
  const std::string segment = data_dir_ + "/00000000000000000001.log";
  std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(60);
  file.put('\x7f');
  file.close();
  auto refused = RunToCompletion(::bank::testing::ProgramPath("command-service"),
                                 {"--listen=127.0.0.1:0", "--data_dir=" + data_dir_});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(refused.err, "DATA_LOSS")) << refused.err;
  service_.reset();
}

TEST_F(CommandServiceE2eTest, SubscribeStreamsHistoryInBatchesThenLiveEventsThenHeartbeats) {
  bank::v1::CommandReply reply;
  for (int i = 0; i < 2000; ++i)
    ASSERT_TRUE(Deposit("acc" + std::to_string(i % 7), 1, &reply).ok());
  Subscription subscription(*stub_, 0);
  bank::v1::SubscribeResponse message;
  uint64_t next = 1;
  int messages = 0;
  while (next <= 2000) {
    ASSERT_TRUE(subscription.Read(&message));
    ++messages;
    EXPECT_GE(message.head_position(), 2000u);
    for (const bank::v1::Event& event : message.events()) ASSERT_EQ(event.position(), next++);
  }
  EXPECT_LT(messages, 20) << "catch-up should batch events";
  ASSERT_TRUE(Deposit("live", 5, &reply).ok());
  do {
    ASSERT_TRUE(subscription.Read(&message));
  } while (message.events().empty());
  ASSERT_EQ(message.events_size(), 1);
  EXPECT_EQ(message.events(0).position(), 2001u);
  EXPECT_EQ(message.events(0).account_id(), "live");
  EXPECT_EQ(message.head_position(), 2001u);
  // Quiet now: a heartbeat with no events and the head arrives within ~1 s.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(subscription.Read(&message));
  EXPECT_EQ(message.events_size(), 0);
  EXPECT_EQ(message.head_position(), 2001u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(CommandServiceE2eTest, SubscribeFromTheMiddleAndBeyondTheHead) {
  bank::v1::CommandReply reply;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Deposit("acc1", 1, &reply).ok());
  {
    Subscription subscription(*stub_, 7);
    bank::v1::SubscribeResponse message;
    ASSERT_TRUE(subscription.Read(&message));
    ASSERT_EQ(message.events_size(), 3);
    EXPECT_EQ(message.events(0).position(), 8u);
  }
  Subscription beyond(*stub_, 11);
  bank::v1::SubscribeResponse message;
  EXPECT_FALSE(beyond.Read(&message));
  EXPECT_EQ(beyond.Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

int64_t RssKilobytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      int64_t kilobytes = 0;
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)),
                             &kilobytes);
      return kilobytes;
    }
  }
  return -1;
}

TEST_F(CommandServiceE2eTest, SlowSubscriberCostsBoundedMemoryAndGetsEverything) {
  // Eight subscribers that do not read while 10,000 events are written.
  std::vector<std::unique_ptr<Subscription>> stalled;
  for (int i = 0; i < 8; ++i) stalled.push_back(std::make_unique<Subscription>(*stub_, 0));
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit("warm", 1, &reply).ok());
  const int64_t before = RssKilobytes(service_->process().pid());
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(Deposit("acc" + std::to_string(i % 100), 1000, &reply).ok());
  }
  const int64_t after = RssKilobytes(service_->process().pid());
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // 10,000 events are ~0.6 MB serialized; buffering them for 8 readers would
  // cost ~5 MB. Flow control holds each stream to one message (measured:
  // under 0.2 MB of growth). Under AddressSanitizer, freed memory sits in its
  // quarantine, and ThreadSanitizer's shadow grows with every address touched
  // (~20 MB here), so RSS says nothing there.
  EXPECT_LT(after - before, 2 * 1024) << "RSS grew from " << before << " to " << after << " kB";
#endif
  std::cout << "command-service RSS " << before << " kB -> " << after << " kB\n";
  bank::v1::SubscribeResponse message;
  uint64_t next = 1;
  while (next <= 10001) {
    ASSERT_TRUE(stalled[0]->Read(&message));
    for (const bank::v1::Event& event : message.events()) ASSERT_EQ(event.position(), next++);
  }
}

}  // namespace
}  // namespace bank
