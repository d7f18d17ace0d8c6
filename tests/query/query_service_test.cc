#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query-service/page_token.h"
#include "query-service/query_metrics.h"
#include "query-service/query_service_impl.h"
#include "query-service/sqlite/sqlite_read_model.h"
#include "tests/query/test_util.h"
#include "tests/support/metrics_samples.h"

namespace bank::query {
namespace {

using ::bank::query::testing::Deposited;
using ::bank::query::testing::TempDir;
using ::bank::query::testing::WaitFor;
using ::bank::query::testing::Withdrawn;
using ::bank::testing::Exposition;
using ::bank::testing::ParseSamples;
using ::bank::testing::WithPrefix;

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteReadModel>> opened = SqliteReadModel::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    waiters_ = std::make_unique<PositionWaiters>(0);
    source_ = std::make_unique<SourceStatus>(0);
    metrics_ = MakeQueryMetrics(*store_, *source_);
    service_ = std::make_unique<QueryServiceImpl>(store_.get(), waiters_.get(), source_.get(),
                                                  &authenticator_, metrics_->rpcs());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = bank::v1::QueryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    waiters_->Shutdown();
    server_->Shutdown();
  }

  // Applies like the projector does: store first, then the waiters.
  void Apply(const std::vector<bank::v1::Event>& events) {
    ASSERT_TRUE(store_->Apply(events).ok());
    waiters_->Advance(store_->applied_position());
  }

  // One deposit on each of `ids`, in the given order.
  void OpenAccounts(const std::vector<std::string>& ids) {
    std::vector<bank::v1::Event> events;
    uint64_t position = store_->applied_position();
    for (const std::string& id : ids) events.push_back(Deposited(++position, id, 1, 10));
    Apply(events);
  }

  grpc::Status GetBalance(const std::string& account, uint64_t min_position,
                          bank::v1::AccountBalance& reply,
                          absl::Duration timeout = absl::Seconds(10)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
    bank::v1::GetBalanceRequest request;
    request.set_account_id(account);
    request.set_min_position(min_position);
    return stub_->GetBalance(&context, request, &reply);
  }

  grpc::Status ListAccounts(int32_t page_size, const std::string& token,
                            bank::v1::ListAccountsResponse& reply) {
    grpc::ClientContext context;
    bank::v1::ListAccountsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub_->ListAccounts(&context, request, &reply);
  }

  grpc::Status GetHistory(const std::string& account, int32_t page_size, const std::string& token,
                          bank::v1::GetHistoryResponse& reply) {
    grpc::ClientContext context;
    bank::v1::GetHistoryRequest request;
    request.set_account_id(account);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub_->GetHistory(&context, request, &reply);
  }

  // Every account id, following next_page_token; counts the pages.
  std::vector<std::string> ListAll(int32_t page_size, int* pages) {
    std::vector<std::string> ids;
    std::string token;
    *pages = 0;
    do {
      bank::v1::ListAccountsResponse reply;
      grpc::Status status = ListAccounts(page_size, token, reply);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      ++*pages;
      for (const auto& account : reply.accounts()) ids.push_back(account.account_id());
      token = reply.next_page_token();
    } while (!token.empty());
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<SqliteReadModel> store_;
  std::unique_ptr<PositionWaiters> waiters_;
  std::unique_ptr<SourceStatus> source_;
  security::Authenticator authenticator_;  // tokens off
  std::unique_ptr<metrics::ServiceMetrics> metrics_;
  std::unique_ptr<QueryServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<bank::v1::QueryService::Stub> stub_;
};

TEST_F(QueryServiceTest, GetBalanceAnswersTheProjection) {
  Apply({Deposited(1, "alice", 1, 100), Deposited(2, "bob", 1, 1), Withdrawn(3, "alice", 2, 40)});
  bank::v1::AccountBalance reply;
  ASSERT_TRUE(GetBalance("alice", 0, reply).ok());
  EXPECT_EQ(reply.account_id(), "alice");
  EXPECT_EQ(reply.balance(), 60);
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_EQ(reply.last_position(), 3u);
  EXPECT_EQ(reply.as_of_position(), 3u);
}

TEST_F(QueryServiceTest, UnknownAccountIsNotFoundWithOrWithoutMinPosition) {
  Apply({Deposited(1, "alice", 1, 100)});
  bank::v1::AccountBalance reply;
  EXPECT_EQ(GetBalance("bob", 0, reply).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetBalance("bob", 1, reply).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(QueryServiceTest, InvalidAccountIdIsInvalidArgument) {
  bank::v1::AccountBalance reply;
  for (const std::string& bad :
       {std::string(""), std::string("bad id"), std::string(65, 'a'), std::string("caf\xc3\xa9")}) {
    EXPECT_EQ(GetBalance(bad, 0, reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    bank::v1::GetHistoryResponse history;
    EXPECT_EQ(GetHistory(bad, 0, "", history).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Validation comes before waiting.
  EXPECT_EQ(GetBalance("bad id", 99, reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(QueryServiceTest, MinPositionWaitsUntilTheProjectionAppliesIt) {
  Apply({Deposited(1, "alice", 1, 100)});
  bank::v1::AccountBalance reply;
  grpc::Status status;
  std::thread reader([&] { status = GetBalance("alice", 2, reply); });
  ASSERT_TRUE(WaitFor([&] { return waiters_->pending() == 1; }));
  Apply({Deposited(2, "alice", 2, 5)});
  reader.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.balance(), 105);
  EXPECT_EQ(reply.as_of_position(), 2u);
}

TEST_F(QueryServiceTest, MinPositionOfAnAccountCreatedWhileWaitingIsFound) {
  bank::v1::AccountBalance reply;
  grpc::Status status;
  std::thread reader([&] { status = GetBalance("carol", 1, reply); });
  ASSERT_TRUE(WaitFor([&] { return waiters_->pending() == 1; }));
  Apply({Deposited(1, "carol", 1, 7)});
  reader.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.balance(), 7);
}

// The promise is "waits, then DEADLINE_EXCEEDED", not a duration: the client
// turns its deadline into gRPC's own clock, the server gets it as a relative
// grpc-timeout and either side may end the call first, so the time the test
// measures on absl::Now() can come out a fraction of a millisecond short of
// the deadline (it did: 99.49 ms for 100). PositionWaitersTest checks the
// server's deadline on one clock.
TEST_F(QueryServiceTest, MinPositionNotAppliedByTheDeadlineIsDeadlineExceeded) {
  Apply({Deposited(1, "alice", 1, 100)});
  bank::v1::AccountBalance reply;
  grpc::Status status;
  std::thread reader([&] { status = GetBalance("alice", 2, reply, absl::Seconds(1)); });
  // The call waits for position 2 instead of answering at once ...
  EXPECT_TRUE(WaitFor([&] { return waiters_->pending() == 1; }));
  reader.join();
  // ... and ends with DEADLINE_EXCEEDED, its waiter released.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitFor([&] { return waiters_->pending() == 0; }));
}

TEST_F(QueryServiceTest, CancelledWaitIsReleased) {
  grpc::ClientContext context;
  bank::v1::GetBalanceRequest request;
  request.set_account_id("alice");
  request.set_min_position(5);
  bank::v1::AccountBalance reply;
  grpc::Status status;
  std::thread reader([&] { status = stub_->GetBalance(&context, request, &reply); });
  ASSERT_TRUE(WaitFor([&] { return waiters_->pending() == 1; }));
  context.TryCancel();
  reader.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitFor([&] { return waiters_->pending() == 0; }));
}

TEST_F(QueryServiceTest, ListAccountsPagesInBytewiseOrderCompletely) {
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) ids.push_back(absl::StrFormat("%c-%03d", "aZ_9."[i % 5], i));
  OpenAccounts(ids);
  std::sort(ids.begin(), ids.end());
  int pages = 0;
  EXPECT_EQ(ListAll(100, &pages), ids);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ListAll(0, &pages), ids);  // 0 means 100
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ListAll(7, &pages), ids);
  EXPECT_EQ(pages, 36);
  EXPECT_EQ(ListAll(250, &pages), ids);
  EXPECT_EQ(pages, 1);
}

TEST_F(QueryServiceTest, ListAccountsIsKeysetPaginated) {
  OpenAccounts({"b", "d", "f"});
  bank::v1::ListAccountsResponse first;
  ASSERT_TRUE(ListAccounts(2, "", first).ok());
  ASSERT_EQ(first.accounts_size(), 2);
  EXPECT_EQ(first.accounts(1).account_id(), "d");
  // Accounts appearing before the cursor do not shift the next page.
  OpenAccounts({"a", "c", "e"});
  bank::v1::ListAccountsResponse second;
  ASSERT_TRUE(ListAccounts(2, first.next_page_token(), second).ok());
  ASSERT_EQ(second.accounts_size(), 2);
  EXPECT_EQ(second.accounts(0).account_id(), "e");
  EXPECT_EQ(second.accounts(1).account_id(), "f");
  EXPECT_EQ(second.accounts(1).as_of_position(), 6u);
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(QueryServiceTest, PageSizeAboveTheMaximumIsClampedAndNegativeIsInvalid) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1001; ++i) ids.push_back(absl::StrFormat("acct-%04d", i));
  OpenAccounts(ids);
  bank::v1::ListAccountsResponse reply;
  ASSERT_TRUE(ListAccounts(5000, "", reply).ok());
  EXPECT_EQ(reply.accounts_size(), 1000);
  EXPECT_FALSE(reply.next_page_token().empty());
  EXPECT_EQ(ListAccounts(-1, "", reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bank::v1::GetHistoryResponse history;
  EXPECT_EQ(GetHistory("acct-0000", -5, "", history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(QueryServiceTest, BadPageTokenIsInvalidArgument) {
  OpenAccounts({"alice", "bob", "carol"});
  bank::v1::ListAccountsResponse reply;
  ASSERT_TRUE(ListAccounts(1, "", reply).ok());
  std::string tampered = reply.next_page_token();
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string("not-a-token"), tampered, EncodeHistoryToken("alice", 1)}) {
    bank::v1::ListAccountsResponse ignored;
    EXPECT_EQ(ListAccounts(10, bad, ignored).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
  bank::v1::GetHistoryResponse history;
  EXPECT_EQ(GetHistory("alice", 10, "garbage", history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetHistory("alice", 10, EncodeHistoryToken("bob", 1), history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetHistory("alice", 10, reply.next_page_token(), history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(QueryServiceTest, GetHistoryPagesByVersion) {
  std::vector<bank::v1::Event> events;
  int64_t balance = 0;
  for (uint64_t v = 1; v <= 25; ++v) {
    const bool deposit = v % 4 != 0;
    events.push_back(deposit ? Deposited(2 * v - 1, "alice", v, 10, absl::StrCat("c", v))
                             : Withdrawn(2 * v - 1, "alice", v, 3));
    events.push_back(Deposited(2 * v, "bob", v, 1));
  }
  Apply(events);
  std::vector<bank::v1::Transaction> all;
  std::string token;
  int pages = 0;
  do {
    bank::v1::GetHistoryResponse reply;
    ASSERT_TRUE(GetHistory("alice", 10, token, reply).ok());
    ++pages;
    all.insert(all.end(), reply.transactions().begin(), reply.transactions().end());
    token = reply.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 25u);
  for (uint64_t v = 1; v <= 25; ++v) {
    const bank::v1::Transaction& t = all[v - 1];
    const bool deposit = v % 4 != 0;
    balance += deposit ? 10 : -3;
    EXPECT_EQ(t.version(), v);
    EXPECT_EQ(t.position(), 2 * v - 1);
    EXPECT_EQ(t.kind(),
              deposit ? bank::v1::Transaction::DEPOSIT : bank::v1::Transaction::WITHDRAWAL);
    EXPECT_EQ(t.amount(), deposit ? 10 : 3);
    EXPECT_EQ(t.balance_after(), balance);
    EXPECT_EQ(t.command_id(), deposit ? absl::StrCat("c", v) : "");
    EXPECT_EQ(t.recorded_at().seconds(), 1700000000 + static_cast<int64_t>(2 * v - 1));
  }
  bank::v1::GetHistoryResponse missing;
  EXPECT_EQ(GetHistory("nobody", 0, "", missing).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(QueryServiceTest, GetStatusReportsAppliedHeadAndConnection) {
  Apply({Deposited(1, "alice", 1, 1), Deposited(2, "alice", 2, 1)});
  grpc::ClientContext first_context;
  bank::v1::ProjectionStatus status;
  ASSERT_TRUE(stub_->GetStatus(&first_context, {}, &status).ok());
  EXPECT_EQ(status.applied_position(), 2u);
  EXPECT_EQ(status.source_head_position(), 2u);  // never below applied
  EXPECT_FALSE(status.source_connected());

  source_->SetConnected(true);
  source_->ObserveHead(9);
  grpc::ClientContext second_context;
  ASSERT_TRUE(stub_->GetStatus(&second_context, {}, &status).ok());
  EXPECT_EQ(status.applied_position(), 2u);
  EXPECT_EQ(status.source_head_position(), 9u);
  EXPECT_TRUE(status.source_connected());
}

TEST_F(QueryServiceTest, MetricsCountEachAnsweredQueryByRpcAndCodeBeforeItsReply) {
  OpenAccounts({"alice"});
  bank::v1::AccountBalance balance;
  ASSERT_TRUE(GetBalance("alice", 0, balance).ok());
  ASSERT_TRUE(GetBalance("alice", 1, balance).ok());  // applied already: answered at once
  EXPECT_EQ(GetBalance("nobody", 0, balance).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetBalance("", 0, balance).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bank::v1::GetHistoryResponse history;
  ASSERT_TRUE(GetHistory("alice", 10, "", history).ok());
  // A GetBalance that waits for its min_position is counted once, when the
  // projection reaches it and it is answered.
  grpc::Status waited;
  std::thread waiter([&] {
    bank::v1::AccountBalance reply;
    waited = GetBalance("alice", 2, reply);
  });
  ASSERT_TRUE(WaitFor([&] { return waiters_->pending() == 1; }));
  OpenAccounts({"bob"});
  waiter.join();
  ASSERT_TRUE(waited.ok()) << waited.error_message();

  // No wait: a client holding its reply finds its call counted.
  absl::StatusOr<std::map<std::string, double>> samples =
      ParseSamples(Exposition(metrics_->collectables()));
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(WithPrefix(*samples, "bank_queries_total"),
            (std::map<std::string, double>{
                {R"(bank_queries_total{code="INVALID_ARGUMENT",rpc="GetBalance"})", 1},
                {R"(bank_queries_total{code="NOT_FOUND",rpc="GetBalance"})", 1},
                {R"(bank_queries_total{code="OK",rpc="GetBalance"})", 3},
                {R"(bank_queries_total{code="OK",rpc="GetHistory"})", 1}}));
  EXPECT_EQ(samples->at(R"(bank_query_duration_seconds_count{rpc="GetBalance"})"), 5);
  EXPECT_EQ(samples->at(R"(bank_query_duration_seconds_count{rpc="ListAccounts"})"), 0);
  EXPECT_EQ(samples->at("bank_projection_applied_position"), 2);

  // A client whose own deadline passes first holds its DEADLINE_EXCEEDED
  // before the service ends the call, which it counts as it saw it end: its
  // deadline (DEADLINE_EXCEEDED) or the client's cancellation (CANCELLED),
  // whichever came first.
  EXPECT_EQ(GetBalance("alice", 5, balance, absl::Milliseconds(100)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<std::map<std::string, double>> now =
        ParseSamples(Exposition(metrics_->collectables()));
    return now.ok() &&
           now->contains(R"(bank_queries_total{code="DEADLINE_EXCEEDED",rpc="GetBalance"})") !=
               now->contains(R"(bank_queries_total{code="CANCELLED",rpc="GetBalance"})");
  }));
}

}  // namespace
}  // namespace bank::query
