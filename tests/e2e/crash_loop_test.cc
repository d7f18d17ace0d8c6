// The real command-service and query-service under load from several client
// threads; the command service is SIGKILLed at a random moment of every round
// (and the query service in some rounds) and restarted on the same port. After
// every round the clients are quiesced and the whole log, read back over
// Subscribe, is checked against every reply the clients saw: each
// acknowledged command exactly once (a transfer's two events side by side,
// never one without the other), dense positions and versions, balances equal
// to a replay and summing to deposits minus withdrawals, retries answered with
// the original reply, and the query service converged to the replay without
// double counting. Snapshots are written every 64 events, so most restarts
// begin from one, and some kills land while one is being written.
//
// BANK_CRASH_ROUNDS sets the number of rounds (default 20); BANK_CRASH_SEED
// replays a run's random moments (the seed is printed).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::ProgramPath;
using ::bank::testing::RunningService;
using ::bank::testing::Subprocess;

constexpr int kClients = 4;
constexpr int kAccounts = 32;
constexpr int kSigkill = 128 + SIGKILL;

int EnvInt(const char* name, int fallback) {
  const char* text = std::getenv(name);
  int value = 0;
  return text != nullptr && absl::SimpleAtoi(text, &value) ? value : fallback;
}

enum class Kind { kDeposit, kWithdraw, kTransfer };

// A command as a client sent it (every retry sends exactly this).
struct Sent {
  Kind kind = Kind::kDeposit;
  std::string account_id;     // a transfer's from account
  std::string to_account_id;  // a transfer's
  int64_t amount = 0;
  std::string command_id;
};

struct Acked {
  Sent command;
  bank::v1::CommandReply reply;     // a transfer's from account's
  bank::v1::CommandReply to_reply;  // a transfer's to account's
};

// What a replay of the log gives for one account.
struct Replayed {
  int64_t balance = 0;
  uint64_t version = 0;
  uint64_t last_position = 0;
};

template <typename Request>
Request ToRequest(const Sent& command) {
  Request request;
  request.set_account_id(command.account_id);
  request.set_amount(command.amount);
  request.set_command_id(command.command_id);
  return request;
}

class CrashLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/crash_loop_e2e." + std::to_string(::getpid());
    std::filesystem::remove_all(root_);
    StartCommand("127.0.0.1:0");
    ASSERT_FALSE(command_address_.empty()) << command_->Stderr();
    StartQuery();
  }

  void TearDown() override {
    stop_clients_ = true;
    {
      absl::MutexLock lock(&mu_);
      running_ = true;
    }
    for (std::thread& client : clients_) client.join();
    query_.reset();
    command_.reset();
    std::filesystem::remove_all(root_);
  }

  // Small segments and frequent snapshots, so that kills also land around
  // segment rolls and snapshot writes, and restarts begin from snapshots.
  void StartCommand(const std::string& listen) {
    command_ = std::make_unique<Subprocess>(
        ProgramPath("command-service"),
        std::vector<std::string>{"--data_dir=" + root_ + "/command", "--listen=" + listen,
                                 "--segment_bytes=65536", "--snapshot_every=64"});
    const std::string address = command_->WaitForListenAddress();
    if (command_address_.empty()) command_address_ = address;
    ASSERT_EQ(address, command_address_) << command_->Stderr();
    if (absl::StrContains(command_->Stderr(), "command ids loaded in")) ++snapshot_starts_;
    // A fresh channel with its own subchannel: one kept across the restart
    // went on failing handshakes ("tcp handshaker shutdown") for seconds after
    // the service was back, where a new one connects at once (as the query
    // service's subscriber also does).
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = std::shared_ptr<bank::v1::CommandService::Stub>(bank::v1::CommandService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
    absl::MutexLock lock(&stub_mu_);
    command_stub_ = std::move(stub);
  }

  std::shared_ptr<bank::v1::CommandService::Stub> CommandStub() {
    absl::MutexLock lock(&stub_mu_);
    return command_stub_;
  }

  // Sends `command` until the answer is not "outcome unknown" (UNAVAILABLE
  // while the service is down or restarting, DEADLINE_EXCEEDED), always with
  // the same command_id: the idempotency contract makes the retry safe. Gives
  // up after a minute or when the clients stop, returning the last status.
  grpc::Status SendUntilAnswered(const Sent& command, Acked* answer, int* retries) {
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    while (true) {
      const grpc::Status status = Send(command, answer);
      const bool unknown = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
      if (!unknown || stop_clients_.load() || absl::Now() > give_up) return status;
      ++*retries;
      absl::SleepFor(absl::Milliseconds(10));  // backoff only: the next answer decides
    }
  }

  grpc::Status Send(const Sent& command, Acked* answer) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    std::shared_ptr<bank::v1::CommandService::Stub> stub = CommandStub();
    switch (command.kind) {
      case Kind::kDeposit:
        return stub->Deposit(&context, ToRequest<bank::v1::DepositRequest>(command),
                             &answer->reply);
      case Kind::kWithdraw:
        return stub->Withdraw(&context, ToRequest<bank::v1::WithdrawRequest>(command),
                              &answer->reply);
      case Kind::kTransfer:
        break;
    }
    bank::v1::TransferRequest request;
    request.set_from_account_id(command.account_id);
    request.set_to_account_id(command.to_account_id);
    request.set_amount(command.amount);
    request.set_command_id(command.command_id);
    bank::v1::TransferReply reply;
    const grpc::Status status = stub->Transfer(&context, request, &reply);
    answer->reply = reply.from_account();
    answer->to_reply = reply.to_account();
    return status;
  }

  void KillAndRestartCommand() {
    command_->Signal(SIGKILL);
    ASSERT_EQ(command_->Wait(), kSigkill);
    ++command_kills_;
    StartCommand(command_address_);
  }

  void StartQuery() {
    query_ = std::make_unique<RunningService>(
        "query-service", std::vector<std::string>{"--data_dir=" + root_ + "/query",
                                                  "--command_service=" + command_address_});
    query_stub_ = bank::v1::QueryService::NewStub(query_->channel());
  }

  void KillAndRestartQuery() {
    query_->process().Signal(SIGKILL);
    ASSERT_EQ(query_->process().Wait(), kSigkill);
    ++query_kills_;
    StartQuery();
  }

  void StartClients(uint32_t seed) {
    for (int i = 0; i < kClients; ++i) clients_.emplace_back([this, i, seed] { Client(i, seed); });
  }

  // One client: random deposits, withdrawals and transfers over kAccounts
  // accounts, each with a fresh command_id, retried until answered.
  void Client(int client, uint32_t seed) {
    std::mt19937 random(seed + static_cast<uint32_t>(client));
    for (int n = 0; WaitUntilRunning(); ++n) {
      Sent command;
      const uint32_t dice = random() % 10;
      command.kind = dice < 2 ? Kind::kWithdraw : dice < 5 ? Kind::kTransfer : Kind::kDeposit;
      const uint32_t from = random() % kAccounts;
      command.account_id = absl::StrCat("acct-", from);
      if (command.kind == Kind::kTransfer) {
        command.to_account_id =
            absl::StrCat("acct-", (from + 1 + random() % (kAccounts - 1)) % kAccounts);
      }
      command.amount =
          1 + static_cast<int64_t>(random() % (command.kind == Kind::kDeposit ? 1000 : 300));
      command.command_id = absl::StrCat("c", client, "-", n);
      Acked answer{.command = command, .reply = {}, .to_reply = {}};
      int retries = 0;
      const grpc::Status status = SendUntilAnswered(command, &answer, &retries);
      Record(answer, status, retries);
    }
  }

  void Record(const Acked& answer, const grpc::Status& status, int retries) {
    const Sent& command = answer.command;
    absl::MutexLock lock(&mu_);
    retries_ += retries;
    if (status.ok()) {
      acked_.emplace(command.command_id, answer);
      acked_ids_.push_back(command.command_id);
    } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
               command.kind != Kind::kDeposit) {
      rejected_.insert(command.command_id);
    } else if (!stop_clients_) {
      unexpected_.push_back(
          absl::StrCat(command.command_id, ": ", status.error_code(), " ", status.error_message()));
    }
  }

  bool WaitUntilRunning() {
    absl::MutexLock lock(&mu_);
    ++idle_;
    mu_.Await(absl::Condition(this, &CrashLoopTest::running));
    --idle_;
    return !stop_clients_;
  }
  bool running() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_; }
  bool all_idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return idle_ == kClients; }
  bool enough_acked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return acked_ids_.size() >= ack_target_;
  }

  // Lets the clients go and waits until `count` more commands were acknowledged.
  void ResumeClientsUntilAcked(size_t count) {
    absl::MutexLock lock(&mu_);
    running_ = true;
    ack_target_ = acked_ids_.size() + count;
    ASSERT_TRUE(mu_.AwaitWithTimeout(absl::Condition(this, &CrashLoopTest::enough_acked),
                                     absl::Seconds(30)))
        << "no load: " << acked_ids_.size() << " acknowledged";
  }

  // Stops the clients between commands: every command sent so far has its answer.
  void QuiesceClients() {
    absl::MutexLock lock(&mu_);
    running_ = false;
    mu_.Await(absl::Condition(this, &CrashLoopTest::all_idle));
  }

  void SleepRandomly(std::mt19937& random, int max_ms) {
    absl::SleepFor(absl::Milliseconds(random() % (max_ms + 1)));
  }

  void RunRound(int round, std::mt19937& random) {
    const size_t acked_before = acked_ids_.size();
    ResumeClientsUntilAcked(10);
    if (HasFatalFailure()) return;
    const bool kill_query = round % 3 == 2;
    const bool query_first = random() % 2 == 0;
    if (kill_query && query_first) {
      SleepRandomly(random, 200);
      KillAndRestartQuery();
    }
    SleepRandomly(random, 300);
    KillAndRestartCommand();
    if (HasFatalFailure()) return;
    if (kill_query && !query_first) {
      // The query service is catching up with the restarted command service.
      SleepRandomly(random, 200);
      KillAndRestartQuery();
    }
    QuiesceClients();
    CheckTheLog();
    if (HasFatalFailure()) return;
    CheckRetriesGetTheOriginalReply(acked_before, random);
    CheckTheQueryServiceConverges(random);
  }

  // Reads the whole log (clients quiesced, so the head stands still).
  void ReadTheLog() {
    events_.clear();
    grpc::ClientContext context;
    context.set_deadline(In(30));
    bank::v1::SubscribeRequest request;
    std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
        CommandStub()->Subscribe(&context, request);
    bank::v1::SubscribeResponse message;
    uint64_t head = 0;
    do {
      ASSERT_TRUE(reader->Read(&message)) << reader->Finish().error_message();
      head = message.head_position();
      for (const bank::v1::Event& event : message.events()) events_.push_back(event);
    } while (events_.size() < head);
    context.TryCancel();
    (void)reader->Finish();
    ASSERT_EQ(events_.size(), head);
  }

  void CheckTheLog() {
    ReadTheLog();
    if (HasFatalFailure()) return;
    replay_.clear();
    // The state right after a command's event (a transfer's: each account's).
    absl::flat_hash_map<std::string, Replayed> by_command;
    absl::flat_hash_map<std::string, Replayed> to_by_command;
    int64_t deposited = 0;
    int64_t withdrawn = 0;
    for (size_t i = 0; i < events_.size(); ++i) {
      const bank::v1::Event& event = events_[i];
      ASSERT_EQ(event.position(), i + 1) << "positions are not dense";
      Replayed& account = replay_[event.account_id()];
      ASSERT_EQ(event.version(), account.version + 1) << "versions of " << event.account_id();
      switch (event.body_case()) {
        case bank::v1::Event::kDeposited:
          account.balance += event.deposited().amount();
          deposited += event.deposited().amount();
          break;
        case bank::v1::Event::kWithdrawn:
          account.balance -= event.withdrawn().amount();
          withdrawn += event.withdrawn().amount();
          break;
        case bank::v1::Event::kTransferredOut: {
          // Its other half is the very next event: both legs or neither.
          ASSERT_LT(i + 1, events_.size()) << "a transfer's out leg alone at the end";
          const bank::v1::Event& in = events_[i + 1];
          ASSERT_TRUE(in.has_transferred_in()) << "out leg without its in leg at " << i + 1;
          EXPECT_EQ(in.command_id(), event.command_id());
          EXPECT_EQ(in.account_id(), event.transferred_out().to_account_id());
          EXPECT_EQ(in.transferred_in().from_account_id(), event.account_id());
          EXPECT_EQ(in.transferred_in().amount(), event.transferred_out().amount());
          account.balance -= event.transferred_out().amount();
          break;
        }
        case bank::v1::Event::kTransferredIn:
          ASSERT_TRUE(i > 0 && events_[i - 1].has_transferred_out())
              << "in leg without its out leg at " << i + 1;
          account.balance += event.transferred_in().amount();
          break;
        default:
          FAIL() << "an event without a body at " << i + 1;
      }
      ASSERT_GE(account.balance, 0) << "overdrawn at position " << event.position();
      account.version = event.version();
      account.last_position = event.position();
      auto& commands = event.has_transferred_in() ? to_by_command : by_command;
      ASSERT_TRUE(commands.emplace(event.command_id(), account).second)
          << "command " << event.command_id() << " twice in the log";
    }
    int64_t total = 0;
    for (const auto& [account_id, replayed] : replay_) total += replayed.balance;
    EXPECT_EQ(total, deposited - withdrawn) << "money was created or lost";

    absl::MutexLock lock(&mu_);
    // Every command was answered before the quiesce, so each event in the log
    // is one the clients saw acknowledged, and the other way round.
    size_t acked_events = 0;
    for (const auto& [command_id, acked] : acked_) {
      acked_events += acked.command.kind == Kind::kTransfer ? 2 : 1;
      auto found = by_command.find(command_id);
      ASSERT_NE(found, by_command.end()) << "acknowledged " << command_id << " lost";
      const bank::v1::Event& event = events_[acked.reply.position() - 1];
      EXPECT_EQ(event.command_id(), command_id);
      EXPECT_EQ(event.account_id(), acked.command.account_id);
      EXPECT_EQ(event.has_withdrawn(), acked.command.kind == Kind::kWithdraw);
      EXPECT_EQ(event.has_transferred_out(), acked.command.kind == Kind::kTransfer);
      EXPECT_EQ(acked.reply.account_id(), acked.command.account_id);
      EXPECT_EQ(acked.reply.version(), found->second.version);
      EXPECT_EQ(acked.reply.balance(), found->second.balance) << command_id;
      if (acked.command.kind != Kind::kTransfer) continue;
      const Replayed& to = to_by_command.at(command_id);
      EXPECT_EQ(acked.to_reply.account_id(), acked.command.to_account_id);
      EXPECT_EQ(acked.to_reply.position(), acked.reply.position() + 1);
      EXPECT_EQ(acked.to_reply.version(), to.version);
      EXPECT_EQ(acked.to_reply.balance(), to.balance) << command_id;
    }
    EXPECT_EQ(events_.size(), acked_events) << "the log and the acknowledgements differ";
    for (const std::string& command_id : rejected_) {
      EXPECT_FALSE(by_command.contains(command_id)) << "refused " << command_id << " is in the log";
    }
    acked_checked_ += acked_.size();
  }

  // Sends this round's acknowledged commands again, and a sample of older
  // ones: each must get its original reply and append nothing.
  void CheckRetriesGetTheOriginalReply(size_t acked_before, std::mt19937& random) {
    std::vector<Acked> again;
    {
      absl::MutexLock lock(&mu_);
      for (size_t i = acked_before; i < acked_ids_.size(); ++i) {
        again.push_back(acked_.at(acked_ids_[i]));
      }
      for (int i = 0; i < 20 && acked_before > 0; ++i) {
        again.push_back(acked_.at(acked_ids_[random() % acked_before]));
      }
    }
    for (const Acked& acked : again) {
      Acked answer{.command = acked.command, .reply = {}, .to_reply = {}};
      int retries = 0;
      const grpc::Status status = SendUntilAnswered(acked.command, &answer, &retries);
      ASSERT_TRUE(status.ok()) << acked.command.command_id << ": " << status.error_message();
      EXPECT_EQ(answer.reply.SerializeAsString(), acked.reply.SerializeAsString())
          << acked.command.command_id;
      EXPECT_EQ(answer.to_reply.SerializeAsString(), acked.to_reply.SerializeAsString())
          << acked.command.command_id;
    }
    retried_ += again.size();
  }

  void CheckTheQueryServiceConverges(std::mt19937& random) {
    const uint64_t head = events_.size();
    for (const auto& [account_id, replayed] : replay_) {
      bank::v1::GetBalanceRequest request;
      request.set_account_id(account_id);
      request.set_min_position(head);
      bank::v1::AccountBalance balance;
      grpc::ClientContext context;
      context.set_deadline(In(30));
      const grpc::Status status = query_stub_->GetBalance(&context, request, &balance);
      ASSERT_TRUE(status.ok()) << account_id << ": " << status.error_message();
      EXPECT_EQ(balance.balance(), replayed.balance) << account_id;
      EXPECT_EQ(balance.version(), replayed.version) << account_id;
      EXPECT_EQ(balance.last_position(), replayed.last_position) << account_id;
      EXPECT_EQ(balance.as_of_position(), head);
    }
    bank::v1::ListAccountsRequest list;
    list.set_page_size(1000);
    bank::v1::ListAccountsResponse accounts;
    grpc::ClientContext list_context;
    list_context.set_deadline(In(10));
    ASSERT_TRUE(query_stub_->ListAccounts(&list_context, list, &accounts).ok());
    EXPECT_EQ(static_cast<size_t>(accounts.accounts_size()), replay_.size());
    CheckOneHistory(absl::StrCat("acct-", random() % kAccounts));
  }

  // One account's history, paged, against the log: no event applied twice.
  void CheckOneHistory(const std::string& account_id) {
    std::vector<const bank::v1::Event*> expected;
    for (const bank::v1::Event& event : events_) {
      if (event.account_id() == account_id) expected.push_back(&event);
    }
    if (expected.empty()) return;
    std::vector<bank::v1::Transaction> history;
    std::string token;
    do {
      bank::v1::GetHistoryRequest request;
      request.set_account_id(account_id);
      request.set_page_size(50);
      request.set_page_token(token);
      bank::v1::GetHistoryResponse page;
      grpc::ClientContext context;
      context.set_deadline(In(10));
      const grpc::Status status = query_stub_->GetHistory(&context, request, &page);
      ASSERT_TRUE(status.ok()) << status.error_message();
      history.insert(history.end(), page.transactions().begin(), page.transactions().end());
      token = page.next_page_token();
    } while (!token.empty());
    ASSERT_EQ(history.size(), expected.size()) << account_id;
    for (size_t i = 0; i < history.size(); ++i) {
      EXPECT_EQ(history[i].position(), expected[i]->position());
      EXPECT_EQ(history[i].version(), expected[i]->version());
      EXPECT_EQ(history[i].command_id(), expected[i]->command_id());
    }
  }

  std::string root_;
  std::string command_address_;
  std::unique_ptr<Subprocess> command_;
  std::unique_ptr<RunningService> query_;
  absl::Mutex stub_mu_;
  std::shared_ptr<bank::v1::CommandService::Stub> command_stub_ ABSL_GUARDED_BY(stub_mu_);
  std::unique_ptr<bank::v1::QueryService::Stub> query_stub_;
  std::vector<std::thread> clients_;
  std::atomic<bool> stop_clients_{false};

  absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  int idle_ ABSL_GUARDED_BY(mu_) = 0;
  size_t ack_target_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Acked> acked_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> acked_ids_;  // written under mu_; read by the main thread when quiesced
  absl::flat_hash_set<std::string> rejected_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> unexpected_ ABSL_GUARDED_BY(mu_);
  int64_t retries_ ABSL_GUARDED_BY(mu_) = 0;

  // The main thread's.
  std::vector<bank::v1::Event> events_;
  std::map<std::string, Replayed> replay_;
  int command_kills_ = 0;
  int snapshot_starts_ = 0;  // start-ups that began from a snapshot
  int query_kills_ = 0;
  size_t acked_checked_ = 0;
  size_t retried_ = 0;
};

TEST_F(CrashLoopTest,
       EveryAcknowledgedCommandSurvivesSigkillsExactlyOnceAndTheProjectionConverges) {
  const int rounds = EnvInt("BANK_CRASH_ROUNDS", 20);
  const uint32_t seed = static_cast<uint32_t>(EnvInt("BANK_CRASH_SEED", std::random_device()()));
  std::cout << "BANK_CRASH_SEED=" << seed << " BANK_CRASH_ROUNDS=" << rounds << "\n";
  std::mt19937 random(seed);
  StartClients(seed);
  const absl::Time start = absl::Now();
  int survived = 0;
  for (int round = 0; round < rounds && !HasFailure(); ++round) {
    RunRound(round, random);
    if (!HasFailure()) ++survived;
  }
  absl::MutexLock lock(&mu_);
  EXPECT_TRUE(unexpected_.empty())
      << unexpected_.size() << " unexpected answers, first " << unexpected_.front();
  EXPECT_EQ(survived, rounds);
  EXPECT_GT(snapshot_starts_, 0) << "no restart began from a snapshot";
  std::cout << "rounds survived " << survived << "/" << rounds << ", SIGKILLs: command-service "
            << command_kills_ << " (" << snapshot_starts_ << " restarts from a snapshot), "
            << "query-service " << query_kills_ << "; " << acked_.size()
            << " acknowledged commands (" << acked_checked_ << " checks against the log), "
            << rejected_.size() << " refused withdrawals and transfers, " << retries_
            << " client retries, " << retried_ << " replayed retries, "
            << absl::FormatDuration(absl::Now() - start) << "\n";
}

}  // namespace
}  // namespace bank
