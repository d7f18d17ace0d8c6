// The real command-service and query-service fed what a hostile or broken
// client sends: requests past the size limit, unknown fields, raw invalid
// UTF-8, absurd page sizes, forged page tokens, a thousand streams, and
// streams that are never read. After every case both services still report
// SERVING and a Deposit goes through and reaches the projection. Each case
// runs over plaintext, and over TLS with a token on every call (both services
// with --tls_cert and --auth_tokens, the query service following over TLS):
// security comes first, and changes none of these answers.

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/e2e/running_service.h"
#include "tests/e2e/security_setup.h"
#include "tests/support/dev_certs.h"

namespace bank {
namespace {

using ::bank::testing::DevCertsTest;
using ::bank::testing::In;
using ::bank::testing::RunningService;

// Protobuf wire format by hand, to send what our own stubs would refuse to.
void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
std::string VarintField(int field, uint64_t value) {
  std::string out;
  AppendVarint(out, static_cast<uint64_t>(field) << 3);
  AppendVarint(out, value);
  return out;
}
std::string BytesField(int field, const std::string& bytes) {
  std::string out;
  AppendVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  AppendVarint(out, bytes.size());
  return out + bytes;
}

int64_t RssKilobytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!absl::StartsWith(line, "VmRSS:")) continue;
    int64_t kilobytes = -1;
    (void)absl::SimpleAtoi(absl::StripSuffix(absl::StripAsciiWhitespace(line.substr(6)), " kB"),
                           &kilobytes);
    return kilobytes;
  }
  return -1;
}

// How the test's clients reach the services.
enum class Transport {
  kPlaintext,     // and no tokens, the local default
  kTlsWithToken,  // every call carries a token with every role
};

void PrintTo(Transport transport, std::ostream* out) {
  *out << (transport == Transport::kPlaintext ? "plaintext" : "TLS with a token");
}

class HostileInputTest : public DevCertsTest, public ::testing::WithParamInterface<Transport> {
 protected:
  void SetUp() override {
    DevCertsTest::SetUp();
    if (HasFatalFailure()) return;
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '.');
    root_ = ::testing::TempDir() + "/hostile_e2e." + std::to_string(::getpid()) + "." + name;
    std::filesystem::remove_all(root_);
    std::vector<std::string> command_flags = {"--data_dir=" + root_ + "/command"};
    std::vector<std::string> query_flags = {"--data_dir=" + root_ + "/query"};
    credentials_ = grpc::InsecureChannelCredentials();
    if (GetParam() == Transport::kTlsWithToken) {
      constexpr char kToken[] = "hostile-3b9f1c7a0e5d2864";
      std::filesystem::create_directories(root_);
      ::bank::testing::WriteText(root_ + "/tokens", ::bank::testing::TokensLine(
                                                        "hostile", "write,subscribe,read", kToken));
      ::bank::testing::WriteText(root_ + "/token", kToken);
      for (std::vector<std::string>* flags : {&command_flags, &query_flags}) {
        for (const std::string& flag : ::bank::testing::ServerTlsFlags(certs())) {
          flags->push_back(flag);
        }
        flags->push_back("--auth_tokens=" + root_ + "/tokens");
      }
      query_flags.push_back("--command_service_tls_ca=" + certs().Path("ca.pem"));
      query_flags.push_back("--command_service_token_file=" + root_ + "/token");
      // gRPC sends call credentials over TLS only: here they are.
      credentials_ = grpc::CompositeChannelCredentials(::bank::testing::ClientTls(certs()),
                                                       grpc::AccessTokenCredentials(kToken));
    }
    command_ = std::make_unique<RunningService>("command-service", command_flags, credentials_);
    query_flags.push_back("--command_service=" + command_->address());
    query_ = std::make_unique<RunningService>("query-service", query_flags, credentials_);
    command_stub_ = bank::v1::CommandService::NewStub(command_->channel());
    query_stub_ = bank::v1::QueryService::NewStub(query_->channel());
  }

  void TearDown() override {
    if (query_ == nullptr) return;  // SetUp failed
    // Whatever a case did, both services must still be up and working.
    ExpectStillServing();
    EXPECT_EQ(query_->Stop(), 0);
    EXPECT_EQ(command_->Stop(), 0);
    std::filesystem::remove_all(root_);
  }

  // Sends `bytes` as the request of `method` without any client-side checks.
  static grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& method, const std::string& bytes,
                              std::string* response_bytes = nullptr) {
    grpc::GenericStub stub(channel);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status answer) {
                     status = std::move(answer);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (status.ok() && response_bytes != nullptr) {
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      response_bytes->clear();
      for (const grpc::Slice& piece : slices) {
        response_bytes->append(reinterpret_cast<const char*>(piece.begin()), piece.size());
      }
    }
    return status;
  }

  static bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
    std::string response;
    // HealthCheckRequest{service: ""} is empty; SERVING is HealthCheckResponse{status: 1}.
    return RawCall(channel, "/grpc.health.v1.Health/Check", "", &response).ok() &&
           response == std::string("\x08\x01", 2);
  }

  grpc::Status Deposit(const bank::v1::DepositRequest& request, bank::v1::CommandReply* reply) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    return command_stub_->Deposit(&context, request, reply);
  }

  bank::v1::CommandReply DepositOk(const std::string& account, int64_t amount) {
    bank::v1::CommandReply reply;
    const grpc::Status status =
        ::bank::testing::CallDeposit(*command_stub_, account, amount, &reply);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return reply;
  }

  void ExpectStillServing() {
    EXPECT_TRUE(Serving(command_->channel())) << "command-service";
    EXPECT_TRUE(Serving(query_->channel())) << "query-service";
    const bank::v1::CommandReply reply = DepositOk("probe", 1);
    bank::v1::GetBalanceRequest request;
    request.set_account_id("probe");
    request.set_min_position(reply.position());
    bank::v1::AccountBalance balance;
    grpc::ClientContext context;
    context.set_deadline(In(20));
    const grpc::Status status = query_stub_->GetBalance(&context, request, &balance);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(balance.version(), reply.version());
  }

  grpc::Status ListAccounts(int32_t page_size, const std::string& token,
                            bank::v1::ListAccountsResponse* reply) {
    bank::v1::ListAccountsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    context.set_deadline(In(10));
    return query_stub_->ListAccounts(&context, request, reply);
  }

  grpc::Status GetHistory(const std::string& account, int32_t page_size, const std::string& token,
                          bank::v1::GetHistoryResponse* reply) {
    bank::v1::GetHistoryRequest request;
    request.set_account_id(account);
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    context.set_deadline(In(10));
    return query_stub_->GetHistory(&context, request, reply);
  }

  // Waits until the projection has applied `position`.
  void WaitForProjection(uint64_t position) {
    bank::v1::GetBalanceRequest request;
    request.set_account_id("probe");
    request.set_min_position(position);
    bank::v1::AccountBalance balance;
    grpc::ClientContext context;
    context.set_deadline(In(30));
    const grpc::Status status = query_stub_->GetBalance(&context, request, &balance);
    // NOT_FOUND is fine: the wait is over, "probe" may have no events yet.
    ASSERT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }

  std::string root_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<RunningService> command_;
  std::unique_ptr<RunningService> query_;
  std::unique_ptr<bank::v1::CommandService::Stub> command_stub_;
  std::unique_ptr<bank::v1::QueryService::Stub> query_stub_;
};

TEST_P(HostileInputTest, RequestsPastTheReceiveLimitAreResourceExhausted) {
  const std::string huge(2 << 20, 'a');  // 2 MiB, twice the servers' limit
  bank::v1::DepositRequest deposit;
  deposit.set_account_id(huge);
  deposit.set_amount(1);
  bank::v1::CommandReply reply;
  EXPECT_EQ(Deposit(deposit, &reply).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  deposit.set_account_id("acc1");
  deposit.set_command_id(huge);
  EXPECT_EQ(Deposit(deposit, &reply).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  bank::v1::GetBalanceRequest balance_request;
  balance_request.set_account_id(huge);
  bank::v1::AccountBalance balance;
  grpc::ClientContext context;
  context.set_deadline(In(10));
  EXPECT_EQ(query_stub_->GetBalance(&context, balance_request, &balance).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  bank::v1::ListAccountsResponse accounts;
  EXPECT_EQ(ListAccounts(0, huge, &accounts).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Just under the limit is parsed and refused by our own validation.
  deposit.set_command_id(std::string((1 << 20) - 100, 'c'));
  EXPECT_EQ(Deposit(deposit, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DepositOk("acc1", 5).position(), 1u) << "nothing refused was appended";
}

TEST_P(HostileInputTest, UnknownFieldsAreIgnoredAsProto3Says) {
  bank::v1::DepositRequest deposit;
  deposit.set_account_id("acc1");
  deposit.set_amount(7);
  deposit.set_command_id("unknown-1");
  google::protobuf::UnknownFieldSet* unknown =
      deposit.GetReflection()->MutableUnknownFields(&deposit);
  unknown->AddVarint(99, 12345);
  unknown->AddLengthDelimited(100, std::string(1000, 'x'));
  unknown->AddFixed64(101, 0xdeadbeef);
  unknown->AddFixed32(536870911, 7);  // the largest field number there is
  bank::v1::CommandReply reply;
  grpc::Status status = Deposit(deposit, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.balance(), 7);
  EXPECT_EQ(reply.position(), 1u);
  // The retry with other unknown fields is the same command: its original reply.
  unknown->Clear();
  unknown->AddVarint(98, 1);
  bank::v1::CommandReply retry;
  ASSERT_TRUE(Deposit(deposit, &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), reply.SerializeAsString());

  bank::v1::GetBalanceRequest balance_request;
  balance_request.set_account_id("acc1");
  balance_request.set_min_position(1);
  balance_request.GetReflection()->MutableUnknownFields(&balance_request)->AddVarint(77, 1);
  bank::v1::AccountBalance balance;
  grpc::ClientContext context;
  context.set_deadline(In(20));
  status = query_stub_->GetBalance(&context, balance_request, &balance);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(balance.balance(), 7);

  // A known field number with the wrong wire type is kept as an unknown
  // field, so account_id is empty: INVALID_ARGUMENT from our validation.
  const std::string wrong_type = VarintField(1, 5) + VarintField(2, 10);
  EXPECT_EQ(
      RawCall(command_->channel(), "/bank.v1.CommandService/Deposit", wrong_type).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// Protobuf (3.21) refuses to parse a proto3 string field holding invalid
// UTF-8; had gRPC (1.51) parsed the request, its callback API would drop the
// parse status and answer UNIMPLEMENTED with an empty message. The services
// take these requests raw and parse them themselves (common/raw_request.h), so
// the answer is the contract's INVALID_ARGUMENT, nothing reaches the log and
// both stay up.
TEST_P(HostileInputTest, InvalidUtf8InStringFieldsIsRefusedAndChangesNothing) {
  const std::string bad = "acc\xff\xfe";
  struct Case {
    std::shared_ptr<grpc::Channel> channel;
    std::string method;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {command_->channel(), "/bank.v1.CommandService/Deposit",
       BytesField(1, bad) + VarintField(2, 10)},
      {command_->channel(), "/bank.v1.CommandService/Withdraw",
       BytesField(1, bad) + VarintField(2, 10)},
      {command_->channel(), "/bank.v1.CommandService/Deposit",
       BytesField(1, "acc1") + VarintField(2, 10) + BytesField(3, "cmd\xc0\x80")},
      {query_->channel(), "/bank.v1.QueryService/GetBalance", BytesField(1, bad)},
      {query_->channel(), "/bank.v1.QueryService/GetHistory", BytesField(1, bad)},
      {query_->channel(), "/bank.v1.QueryService/ListAccounts", BytesField(2, "\xed\xa0\x80")},
      // Not protobuf at all: a length running past the end.
      {command_->channel(), "/bank.v1.CommandService/Deposit", std::string("\x0a\x7f\x61", 3)},
  };
  for (const Case& one : cases) {
    const grpc::Status status = RawCall(one.channel, one.method, one.bytes);
    std::cout << one.method << " with invalid bytes: " << status.error_code() << " \""
              << status.error_message() << "\"\n";
    EXPECT_FALSE(status.ok()) << one.method;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << one.method;
    EXPECT_NE(status.error_message(), "") << one.method;
  }
  // The same bytes as valid UTF-8 are refused by our validation, as the contract says.
  EXPECT_EQ(RawCall(command_->channel(), "/bank.v1.CommandService/Deposit",
                    BytesField(1, "acc\xc3\xa9") + VarintField(2, 10))
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DepositOk("acc1", 1).position(), 1u) << "nothing refused was appended";
}

TEST_P(HostileInputTest, PageSizesAreClampedOrRefused) {
  // 1001 accounts: one more than the largest page.
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([this, w] {
      for (int i = w; i < 1001; i += 8) DepositOk(absl::StrCat("acc", 10000 + i), 1);
    });
  }
  for (std::thread& writer : writers) writer.join();
  WaitForProjection(1001);
  bank::v1::ListAccountsResponse accounts;
  ASSERT_TRUE(ListAccounts(INT32_MAX, "", &accounts).ok());
  EXPECT_EQ(accounts.accounts_size(), 1000);
  EXPECT_FALSE(accounts.next_page_token().empty());
  EXPECT_EQ(ListAccounts(-1, "", &accounts).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ListAccounts(INT32_MIN, "", &accounts).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  bank::v1::GetHistoryResponse history;
  ASSERT_TRUE(GetHistory("acc10000", INT32_MAX, "", &history).ok());
  EXPECT_EQ(history.transactions_size(), 1);
  EXPECT_EQ(GetHistory("acc10000", -5, "", &history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetHistory("acc10000", INT32_MIN, "", &history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(HostileInputTest, BogusPageTokensAreInvalidArgument) {
  for (int i = 0; i < 3; ++i) DepositOk("acc1", 1);
  DepositOk("acc2", 1);
  WaitForProjection(4);
  bank::v1::ListAccountsResponse accounts;
  ASSERT_TRUE(ListAccounts(1, "", &accounts).ok());
  const std::string accounts_token = accounts.next_page_token();
  ASSERT_FALSE(accounts_token.empty());
  bank::v1::GetHistoryResponse history;
  ASSERT_TRUE(GetHistory("acc1", 1, "", &history).ok());
  const std::string history_token = history.next_page_token();
  ASSERT_FALSE(history_token.empty());

  std::string flipped = accounts_token;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  const std::vector<std::string> bogus = {
      "garbage",
      "!!!!",
      "AAAA",
      std::string(4000, 'A'),
      flipped,
      accounts_token + "A",
      std::string("\x00\x01\x02", 3),
      history_token /* a history token for the accounts list */};
  for (const std::string& token : bogus) {
    EXPECT_EQ(ListAccounts(10, token, &accounts).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << token;
  }
  // An accounts token, and another account's history token, for a history.
  ASSERT_TRUE(GetHistory("acc2", 1, "", &history).ok());
  for (const std::string& token : {accounts_token, flipped, std::string("garbage")}) {
    EXPECT_EQ(GetHistory("acc2", 10, token, &history).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << token;
  }
  EXPECT_EQ(GetHistory("acc2", 10, history_token, &history).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The real tokens still work.
  ASSERT_TRUE(GetHistory("acc1", 10, history_token, &history).ok());
  EXPECT_EQ(history.transactions_size(), 2);
}

// Tags on the completion queue: the stream's index and what completed.
enum class Step : intptr_t { kStart, kRead, kFinish };
void* Tag(size_t index, Step step) {
  return reinterpret_cast<void*>(static_cast<intptr_t>(index) * 4 + static_cast<intptr_t>(step));
}

TEST_P(HostileInputTest, AThousandConcurrentSubscribeStreamsThenAllCancelled) {
  constexpr size_t kStreams = 1000;
  constexpr int kChannels = 10;
  DepositOk("acc1", 1);
  const int64_t rss_before = RssKilobytes(command_->process().pid());
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> stubs;
  for (int i = 0; i < kChannels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection each
    stubs.push_back(bank::v1::CommandService::NewStub(command_->NewChannel(credentials_, args)));
  }
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientAsyncReader<bank::v1::SubscribeResponse>> reader;
    bank::v1::SubscribeResponse message;
    grpc::Status status;
  };
  std::vector<Stream> streams(kStreams);
  grpc::CompletionQueue queue;
  bank::v1::SubscribeRequest request;
  for (size_t i = 0; i < kStreams; ++i) {
    streams[i].reader =
        stubs[i % kChannels]->PrepareAsyncSubscribe(&streams[i].context, request, &queue);
    streams[i].reader->StartCall(Tag(i, Step::kStart));
  }
  // Every stream starts, then gets its first message: the one event.
  size_t started = 0, first_messages = 0, finished = 0;
  const auto deadline = In(60);
  while (first_messages < kStreams) {
    void* tag = nullptr;
    bool ok = false;
    ASSERT_EQ(queue.AsyncNext(&tag, &ok, deadline), grpc::CompletionQueue::GOT_EVENT);
    const size_t index = static_cast<size_t>(reinterpret_cast<intptr_t>(tag) / 4);
    const auto step = static_cast<Step>(reinterpret_cast<intptr_t>(tag) % 4);
    ASSERT_TRUE(ok) << "stream " << index;
    if (step == Step::kStart) {
      ++started;
      streams[index].reader->Read(&streams[index].message, Tag(index, Step::kRead));
    } else {
      ++first_messages;
      ASSERT_EQ(streams[index].message.events_size(), 1);
    }
  }
  EXPECT_EQ(started, kStreams);
  const int64_t rss_open = RssKilobytes(command_->process().pid());
  ExpectStillServing();
  for (Stream& stream : streams) stream.context.TryCancel();
  for (size_t i = 0; i < kStreams; ++i)
    streams[i].reader->Finish(&streams[i].status, Tag(i, Step::kFinish));
  while (finished < kStreams) {
    void* tag = nullptr;
    bool ok = false;
    ASSERT_EQ(queue.AsyncNext(&tag, &ok, deadline), grpc::CompletionQueue::GOT_EVENT);
    ++finished;
  }
  for (const Stream& stream : streams) {
    EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::CANCELLED);
  }
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  ExpectStillServing();
  const int64_t rss_after = RssKilobytes(command_->process().pid());
  std::cout << "command-service RSS " << rss_before << " kB, with " << kStreams << " streams "
            << rss_open << " kB, after cancelling them " << rss_after << " kB\n";
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LT(rss_open, 300 * 1024);
  EXPECT_LT(rss_after, 300 * 1024);
#endif
}

TEST_P(HostileInputTest, SubscribersThatNeverReadDoNotSlowCommands) {
  // Twenty streams that are opened and never read from.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>>> readers;
  bank::v1::SubscribeRequest request;
  for (int i = 0; i < 20; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(command_stub_->Subscribe(contexts.back().get(), request));
  }
  const int64_t rss_before = RssKilobytes(command_->process().pid());
  // Enough events (with long command ids) to fill every stream's flow-control window.
  std::vector<std::thread> writers;
  std::atomic<int64_t> slowest_ms{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this, w, &slowest_ms] {
      for (int i = 0; i < 750; ++i) {
        bank::v1::DepositRequest deposit;
        deposit.set_account_id(absl::StrCat("acc", i % 50));
        deposit.set_amount(1);
        deposit.set_command_id(absl::StrCat(std::string(100, 'k'), "-", w, "-", i));
        bank::v1::CommandReply reply;
        const absl::Time start = absl::Now();
        EXPECT_TRUE(Deposit(deposit, &reply).ok());
        const int64_t ms = absl::ToInt64Milliseconds(absl::Now() - start);
        int64_t seen = slowest_ms.load();
        while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  // With every stream stalled, a Deposit still completes at once. The best of
  // three, so that one slow fsync on a shared disk does not decide.
  absl::Duration best = absl::InfiniteDuration();
  for (int i = 0; i < 3; ++i) {
    const absl::Time start = absl::Now();
    DepositOk("after", 1);
    best = std::min(best, absl::Now() - start);
  }
  EXPECT_LT(best, absl::Seconds(1));
  EXPECT_TRUE(Serving(command_->channel()));
  const int64_t rss_after = RssKilobytes(command_->process().pid());
  std::cout << "3000 deposits past 20 stalled streams: slowest " << slowest_ms.load()
            << " ms, then " << absl::FormatDuration(best) << "; RSS " << rss_before << " -> "
            << rss_after << " kB\n";
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LT(rss_after - rss_before, 50 * 1024);
#endif
  for (auto& context : contexts) context->TryCancel();
  for (auto& reader : readers) (void)reader->Finish();
}

INSTANTIATE_TEST_SUITE_P(, HostileInputTest,
                         ::testing::Values(Transport::kPlaintext, Transport::kTlsWithToken),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::kPlaintext ? "Plaintext"
                                                                      : "TlsWithToken";
                         });

}  // namespace
}  // namespace bank
