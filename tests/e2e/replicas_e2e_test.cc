// Two command-service replicas on one PostgreSQL store, as child processes
// over real gRPC: the contract's "Stores" guarantees held by the replicas
// together, whichever replica a call reaches.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"
#include "tests/support/test_postgres.h"

namespace bank::testing {
namespace {

class ReplicasE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> uri = TestPostgresUri();
    if (!uri.has_value()) {
      GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set: scripts/test.sh starts a server";
    }
    schema_ = FreshSchemaName("replicas");
    for (int i = 0; i < 2; ++i) {
      replicas_.push_back(std::make_unique<RunningService>(
          "command-service",
          std::vector<std::string>{"--store=" + *uri, "--store_schema=" + schema_}));
      stubs_.push_back(bank::v1::CommandService::NewStub(replicas_.back()->channel()));
    }
  }
  void TearDown() override {
    replicas_.clear();
    if (!schema_.empty()) {
      EXPECT_TRUE(DropSchema(schema_).ok());
    }
  }

  bank::v1::CommandService::Stub& replica(int i) { return *stubs_[i % 2]; }

  std::string schema_;
  std::vector<std::unique_ptr<RunningService>> replicas_;
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> stubs_;
};

TEST_F(ReplicasE2eTest, EachReplicaSeesTheOthersWritesBeforeDeciding) {
  bank::v1::CommandReply reply;
  ASSERT_TRUE(CallDeposit(replica(0), "alice", 100, &reply).ok());
  // The other replica never saw alice: it loads her from the store.
  grpc::Status status = CallWithdraw(replica(1), "alice", 30, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.balance(), 70);
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_EQ(reply.position(), 2u);
  // And the first, which cached her at 100, must not decide on that.
  status = CallWithdraw(replica(0), "alice", 80, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  ASSERT_TRUE(CallWithdraw(replica(0), "alice", 70, &reply).ok());
  EXPECT_EQ(reply.balance(), 0);
  EXPECT_EQ(reply.version(), 3u);
}

TEST_F(ReplicasE2eTest, ARetrySentToTheOtherReplicaGetsTheOriginalReply) {
  bank::v1::CommandReply first;
  ASSERT_TRUE(CallDeposit(replica(0), "bob", 40, &first, "deposit-bob-1").ok());
  bank::v1::CommandReply later;
  ASSERT_TRUE(CallDeposit(replica(1), "bob", 2, &later).ok());
  bank::v1::CommandReply retried;
  grpc::Status status = CallDeposit(replica(1), "bob", 40, &retried, "deposit-bob-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.position(), first.position());
  EXPECT_EQ(retried.version(), first.version());
  EXPECT_EQ(retried.balance(), 40);  // as it was then, not 42
  // Nothing was deposited twice.
  ASSERT_TRUE(CallWithdraw(replica(0), "bob", 42, &later).ok());
  EXPECT_EQ(later.balance(), 0);
}

grpc::Status CallTransfer(bank::v1::CommandService::Stub& stub, const std::string& from,
                          const std::string& to, int64_t amount, bank::v1::TransferReply* reply,
                          const std::string& command_id = "") {
  bank::v1::TransferRequest request;
  request.set_from_account_id(from);
  request.set_to_account_id(to);
  request.set_amount(amount);
  request.set_command_id(command_id);
  grpc::ClientContext context;
  context.set_deadline(In(30));
  return stub.Transfer(&context, request, reply);
}

// Transfers both ways between two accounts from 16 clients spread over both
// replicas: none deadlocks, overdraws or is answered ABORTED, a retry on the
// other replica gets the original reply, and the total never changes.
TEST_F(ReplicasE2eTest, OppositeTransfersOverTwoReplicasConserveMoneyAndNeverOverdraw) {
  bank::v1::CommandReply reply;
  ASSERT_TRUE(CallDeposit(replica(0), "left", 200, &reply).ok());
  ASSERT_TRUE(CallDeposit(replica(1), "right", 200, &reply).ok());
  bank::v1::TransferReply original;
  grpc::Status status = CallTransfer(replica(1), "left", "right", 10, &original, "tr-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  bank::v1::TransferReply retried;
  status = CallTransfer(replica(0), "left", "right", 10, &retried, "tr-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.SerializeAsString(), original.SerializeAsString());

  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      const bool leftwards = t % 2 == 0;
      for (int i = 0; i < 10; ++i) {
        bank::v1::TransferReply answer;
        const grpc::Status sent = CallTransfer(replica(t / 2), leftwards ? "right" : "left",
                                               leftwards ? "left" : "right", 1 + i % 25, &answer);
        if (sent.ok()) {
          EXPECT_GE(answer.from_account().balance(), 0);
          ++accepted;
        } else {
          EXPECT_EQ(sent.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
              << sent.error_code() << ": " << sent.error_message();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(accepted.load(), 0);
  // Each side's balance, read through a deposit of 1 on either replica.
  bank::v1::CommandReply left, right;
  ASSERT_TRUE(CallDeposit(replica(0), "left", 1, &left).ok());
  ASSERT_TRUE(CallDeposit(replica(1), "right", 1, &right).ok());
  EXPECT_EQ(left.balance() + right.balance(), 402);
  EXPECT_EQ(right.position(), 5u + 2u * accepted.load() + 1u);
}

TEST_F(ReplicasE2eTest, SixteenClientsOverTwoReplicasNeverOverdrawAndNeverSeeAborted) {
  constexpr int kAccounts = 4;
  constexpr int kFunds = 50;  // per account
  constexpr int kThreads = 16;
  constexpr int kWithdrawalsPerThread = 20;  // 320 tries at 200 units
  bank::v1::CommandReply reply;
  for (int a = 0; a < kAccounts; ++a) {
    ASSERT_TRUE(CallDeposit(replica(a), absl::StrCat("shared", a), kFunds, &reply).ok());
  }
  std::atomic<int> accepted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWithdrawalsPerThread; ++i) {
        bank::v1::CommandReply answer;
        const grpc::Status status =
            CallWithdraw(replica(t), absl::StrCat("shared", (t + i) % kAccounts), 1, &answer);
        if (status.ok()) {
          ++accepted;
        } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          ++refused;
        } else {
          ++other;
          ADD_FAILURE() << status.error_code() << ": " << status.error_message();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kAccounts * kFunds);
  EXPECT_EQ(refused.load(), kThreads * kWithdrawalsPerThread - kAccounts * kFunds);
  EXPECT_EQ(other.load(), 0);
  for (int a = 0; a < kAccounts; ++a) {
    const grpc::Status status = CallWithdraw(replica(a + 1), absl::StrCat("shared", a), 1, &reply);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "account " << a;
  }
}

// Every event Subscribe on `stub` streams up to position `head`.
std::vector<bank::v1::Event> SubscribeUpTo(bank::v1::CommandService::Stub& stub, uint64_t head) {
  std::vector<bank::v1::Event> events;
  Subscription subscription(stub, 0);
  bank::v1::SubscribeResponse message;
  while ((events.empty() || events.back().position() < head) && subscription.Read(&message)) {
    for (const bank::v1::Event& event : message.events()) events.push_back(event);
  }
  return events;
}

TEST_F(ReplicasE2eTest, SubscribeOnEachReplicaStreamsTheSameDenseSequenceLiveEventsIncluded) {
  // Live first: a stream on replica 0 is open before replica 1 writes.
  Subscription live(replica(0), 0);
  constexpr int kCommands = 60;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kCommands / 2; ++i) {
        bank::v1::CommandReply reply;
        EXPECT_TRUE(CallDeposit(replica(w), absl::StrCat("sub", i % 3), 1 + w, &reply).ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();

  std::vector<bank::v1::Event> streamed;
  bank::v1::SubscribeResponse message;
  while (streamed.size() < kCommands && live.Read(&message)) {
    for (const bank::v1::Event& event : message.events()) streamed.push_back(event);
  }
  ASSERT_EQ(streamed.size(), static_cast<size_t>(kCommands));
  for (size_t i = 0; i < streamed.size(); ++i) EXPECT_EQ(streamed[i].position(), i + 1);

  for (int r = 0; r < 2; ++r) {
    const std::vector<bank::v1::Event> caught_up = SubscribeUpTo(replica(r), kCommands);
    ASSERT_EQ(caught_up.size(), streamed.size()) << "replica " << r;
    for (size_t i = 0; i < caught_up.size(); ++i) {
      EXPECT_EQ(caught_up[i].SerializeAsString(), streamed[i].SerializeAsString())
          << "replica " << r << " position " << i + 1;
    }
  }
  // Versions are dense per account, whichever replica wrote them.
  std::map<std::string, uint64_t> versions;
  for (const bank::v1::Event& event : streamed) {
    EXPECT_EQ(event.version(), ++versions[event.account_id()]) << event.ShortDebugString();
  }
}

TEST_F(ReplicasE2eTest, TheQueryServiceFollowsTheNextReplicaWhenItsReplicaDies) {
  const std::string data_dir = absl::StrCat("/tmp/replicas-query-", schema_);
  auto query = std::make_unique<RunningService>(
      "query-service",
      std::vector<std::string>{"--data_dir=" + data_dir,
                               absl::StrCat("--command_service=", replicas_[0]->address(), ",",
                                            replicas_[1]->address())});
  auto query_stub = bank::v1::QueryService::NewStub(query->channel());
  auto balance_at = [&](uint64_t position) {
    grpc::ClientContext context;
    context.set_deadline(In(60));
    bank::v1::GetBalanceRequest request;
    request.set_account_id("carol");
    request.set_min_position(position);
    bank::v1::AccountBalance reply;
    const grpc::Status status = query_stub->GetBalance(&context, request, &reply);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return reply.balance();
  };
  bank::v1::CommandReply reply;
  ASSERT_TRUE(CallDeposit(replica(1), "carol", 10, &reply).ok());
  EXPECT_EQ(balance_at(reply.position()), 10);  // heard through replica 0
  replicas_[0]->process().Signal(SIGKILL);
  replicas_[0]->process().Wait();
  ASSERT_TRUE(CallDeposit(replica(1), "carol", 5, &reply).ok());
  EXPECT_EQ(balance_at(reply.position()), 15);  // through replica 1, nothing applied twice
  query.reset();
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace bank::testing
