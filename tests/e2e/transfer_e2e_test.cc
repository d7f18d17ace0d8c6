// Transfer through both real programs over real gRPC: the reply, Subscribe
// carrying both legs in one message, the query side's balances and history,
// and a reader that never sees money in flight while transfers run.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::RunningService;

class TransferE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/transfer_e2e." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    command_ = std::make_unique<RunningService>(
        "command-service", std::vector<std::string>{"--data_dir=" + root_ + "/command"});
    command_stub_ = bank::v1::CommandService::NewStub(command_->channel());
    query_ = std::make_unique<RunningService>(
        "query-service", std::vector<std::string>{"--data_dir=" + root_ + "/query",
                                                  "--command_service=" + command_->address()});
    query_stub_ = bank::v1::QueryService::NewStub(query_->channel());
  }

  void Deposit(const std::string& account, int64_t amount) {
    bank::v1::CommandReply reply;
    grpc::Status status = ::bank::testing::CallDeposit(*command_stub_, account, amount, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Transfer(const std::string& from, const std::string& to, int64_t amount,
                        bank::v1::TransferReply* reply, const std::string& command_id = "") {
    bank::v1::TransferRequest request;
    request.set_from_account_id(from);
    request.set_to_account_id(to);
    request.set_amount(amount);
    request.set_command_id(command_id);
    grpc::ClientContext context;
    context.set_deadline(In(10));
    return command_stub_->Transfer(&context, request, reply);
  }

  bank::v1::AccountBalance Balance(const std::string& account, uint64_t min_position) {
    bank::v1::GetBalanceRequest request;
    request.set_account_id(account);
    request.set_min_position(min_position);
    bank::v1::AccountBalance balance;
    grpc::ClientContext context;
    context.set_deadline(In(20));
    const grpc::Status status = query_stub_->GetBalance(&context, request, &balance);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return balance;
  }

  std::string root_;
  std::unique_ptr<RunningService> command_;
  std::unique_ptr<RunningService> query_;
  std::unique_ptr<bank::v1::CommandService::Stub> command_stub_;
  std::unique_ptr<bank::v1::QueryService::Stub> query_stub_;
};

TEST_F(TransferE2eTest, BothLegsAreStreamedTogetherAndShownWithTheirCounterparty) {
  Deposit("alice", 100);
  bank::v1::TransferReply reply;
  grpc::Status status = Transfer("alice", "bob", 60, &reply, "t-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.from_account().balance(), 40);
  EXPECT_EQ(reply.to_account().position(), 3u);

  // Subscribe after the deposit: the first message carries both legs.
  bank::v1::SubscribeRequest subscribe;
  subscribe.set_after_position(1);
  grpc::ClientContext stream_context;
  stream_context.set_deadline(In(10));
  auto stream = command_stub_->Subscribe(&stream_context, subscribe);
  bank::v1::SubscribeResponse message;
  ASSERT_TRUE(stream->Read(&message));
  ASSERT_EQ(message.events_size(), 2);
  EXPECT_EQ(message.events(0).transferred_out().to_account_id(), "bob");
  EXPECT_EQ(message.events(1).transferred_in().from_account_id(), "alice");
  stream_context.TryCancel();

  const bank::v1::AccountBalance bob = Balance("bob", reply.to_account().position());
  EXPECT_EQ(bob.balance(), 60);
  EXPECT_EQ(Balance("alice", 0).balance(), 40);

  bank::v1::GetHistoryRequest request;
  request.set_account_id("alice");
  bank::v1::GetHistoryResponse history;
  grpc::ClientContext context;
  context.set_deadline(In(10));
  ASSERT_TRUE(query_stub_->GetHistory(&context, request, &history).ok());
  ASSERT_EQ(history.transactions_size(), 2);
  const bank::v1::Transaction& out = history.transactions(1);
  EXPECT_EQ(out.kind(), bank::v1::Transaction::TRANSFER_OUT);
  EXPECT_EQ(out.amount(), 60);
  EXPECT_EQ(out.balance_after(), 40);
  EXPECT_EQ(out.counterparty_account_id(), "bob");
  EXPECT_EQ(out.command_id(), "t-1");

  // A refusal: precise status, nothing recorded.
  status = Transfer("alice", "bob", 41, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  status = Transfer("alice", "alice", 1, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
}

// The contract: no reader ever sees one side of a transfer without the
// other. A reader listing every account while transfers run always finds
// the same total.
TEST_F(TransferE2eTest, AReaderNeverSeesTheTotalChangeWhileTransfersRun) {
  constexpr int kAccounts = 4;
  for (int i = 0; i < kAccounts; ++i) Deposit("acct-" + std::to_string(i), 1000);
  const bank::v1::AccountBalance last = Balance("acct-3", 4);
  ASSERT_EQ(last.balance(), 1000);

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      bank::v1::ListAccountsRequest request;
      bank::v1::ListAccountsResponse page;
      grpc::ClientContext context;
      context.set_deadline(In(10));
      const grpc::Status status = query_stub_->ListAccounts(&context, request, &page);
      ASSERT_TRUE(status.ok()) << status.error_message();
      int64_t total = 0;
      for (const bank::v1::AccountBalance& account : page.accounts()) {
        total += account.balance();
        EXPECT_EQ(account.as_of_position() % 2, 0u)
            << "as_of_position between a transfer's legs (deposits end at 4, transfers take 2)";
      }
      EXPECT_EQ(total, kAccounts * 1000) << "at position " << page.accounts(0).as_of_position();
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  std::atomic<int> transfers{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 40; ++i) {
        bank::v1::TransferReply reply;
        const grpc::Status status =
            Transfer("acct-" + std::to_string((w + i) % kAccounts),
                     "acct-" + std::to_string((w + i + 1) % kAccounts), 1 + i % 7, &reply);
        if (status.ok()) ++transfers;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  const uint64_t head = 4 + 2 * static_cast<uint64_t>(transfers.load());
  Balance("acct-0", head);  // the projection has applied every transfer
  done = true;
  reader.join();
  EXPECT_EQ(transfers.load(), 160);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace bank
