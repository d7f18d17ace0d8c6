// Command handling on a store shared by replicas: two CommandHandlers on one
// MemoryEventStore are two command-service replicas on one database, each
// with its own cache, neither seeing the other's commands except through the
// store. Every test is a way a replica's own state goes stale.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "command-service/command_handler.h"
#include "command-service/store/memory_event_store.h"
#include "tests/command/handler_test_util.h"

namespace bank::command {
namespace {

using ::bank::store::MemoryEventStore;
using ::bank::testing::ExecuteAndWait;

absl::StatusOr<bank::v1::CommandReply> Deposit(CommandHandler& handler, const std::string& account,
                                               int64_t amount, const std::string& id = "",
                                               std::optional<uint64_t> expected = std::nullopt) {
  return ExecuteAndWait(handler,
                        Command{CommandKind::kDeposit, account, amount, id, expected, "", ""});
}

absl::StatusOr<bank::v1::CommandReply> Withdraw(CommandHandler& handler, const std::string& account,
                                                int64_t amount, const std::string& id = "") {
  return ExecuteAndWait(handler,
                        Command{CommandKind::kWithdraw, account, amount, id, std::nullopt, "", ""});
}

std::vector<bank::v1::Event> StoredEvents(const MemoryEventStore& store) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(store.ReadAfter(0, 1 << 20, &events).ok());
  return events;
}

// A replica's view of a shared store whose commits wait until the test lets
// them go, as they would behind a slow commit, and that counts the reads of
// accounts the replica makes.
class HeldStore final : public SharedEventStore {
 public:
  explicit HeldStore(MemoryEventStore& store) : store_(store) {}

  void Hold() { held_ = true; }
  void Release() {
    held_ = false;
    store_.Commit();
  }
  // Reads of an account's events or of a command id.
  int reads() const { return reads_; }

  void Append(std::vector<bank::v1::Event> group, AppendDone done) override {
    store_.Append(std::move(group), std::move(done));
  }
  void AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                        AppendDone done) override {
    store_.AppendOrRedecide(std::move(group), std::move(redecide), std::move(done));
  }
  void ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) override {
    store_.ConfirmOrRedecide(std::move(judged), std::move(redecide), std::move(done));
  }
  void Commit() override {
    if (!held_) store_.Commit();
  }
  absl::Status ReadAfter(uint64_t after, size_t max_events,
                         std::vector<bank::v1::Event>* out) const override {
    return store_.ReadAfter(after, max_events, out);
  }
  uint64_t durable_head() const override { return store_.durable_head(); }
  absl::Status health() const override { return store_.health(); }
  void AddHeadListener(HeadListener listener) override {
    store_.AddHeadListener(std::move(listener));
  }
  void AddCommitListener(CommitListener listener) override {
    store_.AddCommitListener(std::move(listener));
  }
  absl::Status ReadAccount(absl::string_view account_id, uint64_t after_version,
                           std::vector<bank::v1::Event>* out) const override {
    ++reads_;
    return store_.ReadAccount(account_id, after_version, out);
  }
  absl::Status ReadCommand(absl::string_view command_id,
                           std::vector<bank::v1::Event>* out) const override {
    ++reads_;
    return store_.ReadCommand(command_id, out);
  }

 private:
  MemoryEventStore& store_;
  std::atomic<bool> held_{false};
  mutable std::atomic<int> reads_{0};
};

// Runs `command` on `handler` without waiting: the answer lands in `*reply`.
void Start(CommandHandler& handler, Command command,
           absl::StatusOr<bank::v1::CommandReply>* reply) {
  *reply = absl::UnknownError("not answered");
  handler.Execute(std::move(command), [reply](absl::StatusOr<bank::v1::CommandReply> answer) {
    *reply = std::move(answer);
  });
}

class SharedStoreHandlerTest : public ::testing::Test {
 protected:
  MemoryEventStore store_;
  CommandHandler a_{store_, 1000};
  CommandHandler b_{store_, 1000};
};

TEST_F(SharedStoreHandlerTest, AReplicaLoadsAnAccountItHasNeverSeenFromTheStore) {
  ASSERT_TRUE(Deposit(a_, "acc", 100).ok());
  absl::StatusOr<bank::v1::CommandReply> withdrawn = Withdraw(b_, "acc", 100);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->version(), 2u);
  EXPECT_EQ(withdrawn->balance(), 0);
  EXPECT_EQ(withdrawn->position(), 2u);
}

TEST_F(SharedStoreHandlerTest, AnAcceptanceOnStaleStateIsRefusedByTheStoreAndDecidedAgain) {
  ASSERT_TRUE(Deposit(a_, "acc", 100).ok());  // a caches 100
  ASSERT_TRUE(Withdraw(b_, "acc", 100).ok());

  // On a's cache this withdrawal fits; on the store's state it does not.
  EXPECT_EQ(Withdraw(a_, "acc", 1).status().code(), absl::StatusCode::kFailedPrecondition);
  // Not ABORTED either, for a conflict the caller did not ask about.
  absl::StatusOr<bank::v1::CommandReply> deposit = Deposit(a_, "acc", 5);
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  EXPECT_EQ(deposit->version(), 3u);
  EXPECT_EQ(deposit->balance(), 5);
  EXPECT_EQ(StoredEvents(store_).size(), 3u);
}

TEST_F(SharedStoreHandlerTest, ARefusalOnStaleStateIsCheckedAgainstTheStoreFirst) {
  ASSERT_TRUE(Deposit(a_, "acc", 50).ok());  // a caches 50
  ASSERT_TRUE(Deposit(b_, "acc", 100).ok());

  absl::StatusOr<bank::v1::CommandReply> withdrawn = Withdraw(a_, "acc", 120);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->balance(), 30);
  EXPECT_EQ(withdrawn->version(), 3u);
}

TEST_F(SharedStoreHandlerTest, AnExpectedVersionIsJudgedOnTheStoresVersion) {
  ASSERT_TRUE(Deposit(a_, "acc", 1).ok());  // a caches version 1
  ASSERT_TRUE(Deposit(b_, "acc", 1).ok());

  EXPECT_EQ(Deposit(a_, "acc", 1, "", 1).status().code(), absl::StatusCode::kAborted);
  absl::StatusOr<bank::v1::CommandReply> expected = Deposit(a_, "acc", 1, "", 2);
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_EQ(expected->version(), 3u);
}

TEST_F(SharedStoreHandlerTest, ARetryOnTheOtherReplicaGetsTheOriginalReply) {
  absl::StatusOr<bank::v1::CommandReply> original = Deposit(a_, "acc", 100, "c-1");
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(Withdraw(b_, "acc", 30).ok());

  absl::StatusOr<bank::v1::CommandReply> retry = Deposit(b_, "acc", 100, "c-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->position(), 1u);
  EXPECT_EQ(retry->version(), 1u);
  EXPECT_EQ(retry->balance(), 100);  // as it was then
  EXPECT_EQ(Withdraw(b_, "acc", 100, "c-1").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Deposit(b_, "other", 100, "c-1").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StoredEvents(store_).size(), 2u);
}

TEST_F(SharedStoreHandlerTest, ARetryIsRecognisedBeforeTheStateThatWouldNowRefuseIt) {
  ASSERT_TRUE(Deposit(a_, "acc", 100).ok());
  ASSERT_TRUE(Withdraw(a_, "acc", 100, "w-1").ok());
  ASSERT_TRUE(Deposit(b_, "acc", 1).ok());  // b caches balance 1

  // On b the balance refuses it; it is a retry, so it gets its reply.
  absl::StatusOr<bank::v1::CommandReply> retry = Withdraw(b_, "acc", 100, "w-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->position(), 2u);
  EXPECT_EQ(retry->balance(), 0);
}

TEST_F(SharedStoreHandlerTest, ATransientFailureIsUnavailableAndTheNextCommandServes) {
  ASSERT_TRUE(Deposit(a_, "acc", 100).ok());
  store_.FailNextCommit(absl::UnavailableError("injected: connection lost"),
                        MemoryEventStore::Failure::kTransient);
  EXPECT_EQ(Deposit(a_, "acc", 10).status().code(), absl::StatusCode::kUnavailable);

  // No restart: the next command commits, on the state the store holds.
  absl::StatusOr<bank::v1::CommandReply> next = Deposit(a_, "acc", 1);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->version(), 2u);
  EXPECT_EQ(next->balance(), 101);
  EXPECT_TRUE(store_.health().ok());
}

TEST_F(SharedStoreHandlerTest, ALostCommitOutcomeIsResolvedByTheRetrysCommandId) {
  store_.FailNextCommit(absl::UnavailableError("injected: connection lost after COMMIT"),
                        MemoryEventStore::Failure::kOutcomeLost);
  EXPECT_EQ(Deposit(a_, "acc", 100, "c-1").status().code(), absl::StatusCode::kUnavailable);

  for (CommandHandler* replica : {&a_, &b_}) {
    absl::StatusOr<bank::v1::CommandReply> retry = Deposit(*replica, "acc", 100, "c-1");
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->position(), 1u);
    EXPECT_EQ(retry->balance(), 100);
  }
  EXPECT_EQ(StoredEvents(store_).size(), 1u);
}

TEST_F(SharedStoreHandlerTest, AnotherWritersEventsReachTheDecisionsOfBoth) {
  ASSERT_TRUE(Deposit(a_, "acc", 10).ok());
  ASSERT_TRUE(Deposit(b_, "acc", 10).ok());
  bank::v1::Event foreign;
  foreign.set_account_id("acc");
  foreign.set_version(3);
  foreign.mutable_withdrawn()->set_amount(20);
  ASSERT_TRUE(store_.AppendAsAnotherWriter({foreign}).ok());

  EXPECT_EQ(Withdraw(a_, "acc", 1).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Withdraw(b_, "acc", 1).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SharedStoreHandlerTest, SixteenClientsOverTwoReplicasNeverOverdrawNorSeeAborted) {
  constexpr int kAccounts = 4;
  constexpr int64_t kBalance = 50;
  constexpr int kThreads = 16;
  constexpr int kTriesPerThread = 20;  // 320 withdrawals of 1 against 200
  for (int i = 0; i < kAccounts; ++i) {
    ASSERT_TRUE(Deposit(a_, "acc" + std::to_string(i), kBalance).ok());
  }
  std::atomic<int> accepted{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CommandHandler& replica = t % 2 == 0 ? a_ : b_;
      for (int i = 0; i < kTriesPerThread; ++i) {
        absl::StatusOr<bank::v1::CommandReply> reply =
            Withdraw(replica, "acc" + std::to_string((t + i) % kAccounts), 1);
        if (reply.ok()) {
          ++accepted;
        } else if (reply.status().code() != absl::StatusCode::kFailedPrecondition) {
          ++unexpected;
          ADD_FAILURE() << reply.status();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(accepted.load(), kAccounts * kBalance);
  for (int i = 0; i < kAccounts; ++i) {
    const std::string account = "acc" + std::to_string(i);
    EXPECT_EQ(Withdraw(a_, account, 1).status().code(), absl::StatusCode::kFailedPrecondition);
    std::vector<bank::v1::Event> events;
    ASSERT_TRUE(store_.ReadAccount(account, 0, &events).ok());
    ASSERT_EQ(events.size(), static_cast<size_t>(kBalance + 1));
    for (size_t v = 0; v < events.size(); ++v) EXPECT_EQ(events[v].version(), v + 1);
  }
}

TEST(SharedStoreHandlerQueueTest, ACommandQueuedBehindOneTheStoreRefusesIsDecidedOnTheStoresState) {
  MemoryEventStore store;
  HeldStore held(store);
  CommandHandler a(held, 1000);
  CommandHandler b(store, 1000);
  ASSERT_TRUE(Deposit(a, "acc", 100).ok());   // a holds balance 100
  ASSERT_TRUE(Withdraw(b, "acc", 100).ok());  // the store holds 0

  // Both fit a's balance of 100, the second only after the first. The store
  // refuses the first on its balance of 0; had the second been decided on
  // the first's outcome as a predicted, it would take the refused one's
  // version and overdraw the account.
  held.Hold();
  absl::StatusOr<bank::v1::CommandReply> first, second;
  Start(a, Command{CommandKind::kWithdraw, "acc", 50, "", std::nullopt, "", ""}, &first);
  Start(a, Command{CommandKind::kWithdraw, "acc", 10, "", std::nullopt, "", ""}, &second);
  held.Release();

  EXPECT_EQ(first.status().code(), absl::StatusCode::kFailedPrecondition) << first.status();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_EQ(StoredEvents(store).size(), 2u);
  absl::StatusOr<bank::v1::CommandReply> deposit = Deposit(a, "acc", 5);
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  EXPECT_EQ(deposit->version(), 3u);
  EXPECT_EQ(deposit->balance(), 5);
}

TEST(SharedStoreHandlerQueueTest, CommandsOnOneAccountQueuedTogetherAllLandInArrivalOrder) {
  MemoryEventStore store;
  HeldStore held(store);
  CommandHandler a(held, 1000);
  held.Hold();
  std::vector<absl::StatusOr<bank::v1::CommandReply>> replies(5);
  for (int i = 0; i < 5; ++i) {
    Start(a,
          Command{CommandKind::kDeposit, "acc", i + 1, absl::StrCat("d-", i), std::nullopt, "", ""},
          &replies[i]);
  }
  EXPECT_TRUE(StoredEvents(store).empty());
  held.Release();

  int64_t balance = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(replies[i].ok()) << i << ": " << replies[i].status();
    balance += i + 1;
    EXPECT_EQ(replies[i]->version(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(replies[i]->balance(), balance);
    EXPECT_EQ(replies[i]->position(), static_cast<uint64_t>(i + 1));
  }
}

TEST(SharedStoreHandlerQueueTest, ARedecisionLeavesTheReplicaHoldingTheStoresState) {
  MemoryEventStore store;
  HeldStore held(store);
  CommandHandler a(held, 1000);
  CommandHandler b(store, 1000);
  ASSERT_TRUE(Deposit(a, "acc", 100).ok());
  ASSERT_TRUE(Deposit(b, "acc", 10).ok());
  const int reads = held.reads();

  // Fits a's 100, stale there: decided again inside the commit, on the
  // store's 110.
  absl::StatusOr<bank::v1::CommandReply> withdrawn = Withdraw(a, "acc", 50);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->version(), 3u);
  EXPECT_EQ(withdrawn->balance(), 60);
  // And a holds what the store decided: no read of the account for the next.
  absl::StatusOr<bank::v1::CommandReply> next = Withdraw(a, "acc", 60);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->version(), 4u);
  EXPECT_EQ(next->balance(), 0);
  EXPECT_EQ(held.reads(), reads);
}

TEST(SharedStoreHandlerQueueTest,
     AnAccountAReplicaDoesNotHoldIsDecidedInsideTheCommitWithoutARead) {
  MemoryEventStore store;
  HeldStore held(store);
  CommandHandler a(store, 1000);
  CommandHandler b(held, 1000);
  ASSERT_TRUE(Deposit(a, "acc", 100).ok());

  // Decided on b as a new account, and again by the store on its events.
  absl::StatusOr<bank::v1::CommandReply> deposit = Deposit(b, "acc", 5);
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  EXPECT_EQ(deposit->version(), 2u);
  EXPECT_EQ(deposit->balance(), 105);
  absl::StatusOr<bank::v1::CommandReply> withdrawn = Withdraw(b, "acc", 105);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->version(), 3u);
  EXPECT_EQ(held.reads(), 0);
}

TEST(SharedStoreHandlerQueueTest, ARefusalIsConfirmedByTheCommitWithoutARead) {
  MemoryEventStore store;
  HeldStore held(store);
  CommandHandler a(held, 1000);
  CommandHandler b(store, 1000);
  ASSERT_TRUE(Deposit(a, "acc", 10, "d-1").ok());

  EXPECT_EQ(Withdraw(a, "acc", 11, "w-1").status().code(), absl::StatusCode::kFailedPrecondition);
  // Refused on a's 10 and confirmed by the store, which holds 10 too.
  EXPECT_EQ(held.reads(), 0);
  EXPECT_EQ(StoredEvents(store).size(), 1u);

  // Once b deposits, a's refusal is decided again inside the commit.
  ASSERT_TRUE(Deposit(b, "acc", 1).ok());
  absl::StatusOr<bank::v1::CommandReply> withdrawn = Withdraw(a, "acc", 11, "w-2");
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->version(), 3u);
  EXPECT_EQ(withdrawn->balance(), 0);
  EXPECT_EQ(withdrawn->position(), 3u);
  // And a retry of an accepted command, refused on what a holds, is found
  // by the commit and gets its reply.
  absl::StatusOr<bank::v1::CommandReply> retry = Withdraw(a, "acc", 11, "w-2");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->position(), 3u);
  EXPECT_EQ(retry->balance(), 0);
}

TEST(SharedStoreHandlerCacheTest, AReplicaServesMoreAccountsThanItsCacheHolds) {
  MemoryEventStore store;
  CommandHandler replica(store, /*cached_accounts=*/4);
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 50; ++i) {
      absl::StatusOr<bank::v1::CommandReply> reply =
          Deposit(replica, "acc" + std::to_string(i), 10);
      ASSERT_TRUE(reply.ok()) << reply.status();
      EXPECT_EQ(reply->version(), static_cast<uint64_t>(round));
      EXPECT_EQ(reply->balance(), 10 * round);
    }
  }
}

}  // namespace
}  // namespace bank::command
