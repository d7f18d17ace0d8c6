#include "query-service/sqlite/sqlite_read_model.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "query-service/projector.h"
#include "query-service/sqlite/sqlite_db.h"
#include "tests/query/test_util.h"

namespace bank::query {
namespace {

using ::bank::query::testing::Deposited;
using ::bank::query::testing::TempDir;
using ::bank::query::testing::Transferred;
using ::bank::query::testing::Withdrawn;

std::unique_ptr<SqliteReadModel> OpenStore(const TempDir& dir) {
  absl::StatusOr<std::unique_ptr<SqliteReadModel>> store = SqliteReadModel::Open(dir.path());
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

int64_t BalanceOf(const SqliteReadModel& store, const std::string& account) {
  absl::StatusOr<AccountView> view = store.GetAccount(account);
  EXPECT_TRUE(view.ok()) << view.status();
  return view.ok() ? view->state.balance : -1;
}

TEST(SqliteReadModelTest, EmptyStoreHasNothingApplied) {
  TempDir dir;
  auto store = OpenStore(dir);
  EXPECT_EQ(store->applied_position(), 0u);
  EXPECT_EQ(store->GetAccount("alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store->ListAccounts("", 10).empty());
}

TEST(SqliteReadModelTest, ApplyFoldsDepositsAndWithdrawals) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(store
                  ->Apply({Deposited(1, "alice", 1, 100), Deposited(2, "bob", 1, 5),
                           Withdrawn(3, "alice", 2, 30)})
                  .ok());
  EXPECT_EQ(store->applied_position(), 3u);
  absl::StatusOr<AccountView> alice = store->GetAccount("alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->state.balance, 70);
  EXPECT_EQ(alice->state.version, 2u);
  EXPECT_EQ(alice->state.last_position, 3u);
  EXPECT_EQ(alice->as_of_position, 3u);
  EXPECT_EQ(BalanceOf(*store, "bob"), 5);
}

TEST(SqliteReadModelTest, ReapplyingAPositionChangesNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(store->Apply({Deposited(1, "alice", 1, 100), Deposited(2, "alice", 2, 10)}).ok());
  ASSERT_TRUE(store->Apply({Deposited(1, "alice", 1, 100), Deposited(2, "alice", 2, 10)}).ok());
  ASSERT_TRUE(store->Apply({Deposited(2, "alice", 2, 10), Deposited(3, "alice", 3, 1)}).ok());
  EXPECT_EQ(BalanceOf(*store, "alice"), 111);
  EXPECT_EQ(store->applied_position(), 3u);
  absl::StatusOr<std::vector<TransactionRecord>> history = store->GetHistory("alice", 0, 100);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
}

TEST(SqliteReadModelTest, GapIsRefusedAndChangesNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(store->Apply({Deposited(1, "alice", 1, 100)}).ok());
  const absl::Status gap = store->Apply({Deposited(2, "alice", 2, 1), Deposited(4, "bob", 1, 1)});
  EXPECT_EQ(gap.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->applied_position(), 1u);
  EXPECT_EQ(BalanceOf(*store, "alice"), 100);
  EXPECT_EQ(store->GetAccount("bob").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->Apply({Deposited(3, "alice", 2, 1)}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SqliteReadModelTest, AccountVersionOutOfSequenceIsRefused) {
  TempDir dir;
  auto store = OpenStore(dir);
  EXPECT_EQ(store->Apply({Deposited(1, "alice", 2, 100)}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->applied_position(), 0u);
}

TEST(SqliteReadModelTest, ImpossibleEventsAreDataLoss) {
  TempDir dir;
  auto store = OpenStore(dir);
  bank::v1::Event no_body = Deposited(1, "alice", 1, 1);
  no_body.clear_body();
  EXPECT_EQ(store->Apply({no_body}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store->Apply({Deposited(1, "alice", 1, 0)}).code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(store->Apply({Deposited(1, "alice", 1, INT64_MAX)}).ok());
  EXPECT_EQ(store->Apply({Deposited(2, "alice", 2, 1)}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(BalanceOf(*store, "alice"), INT64_MAX);
}

TEST(SqliteReadModelTest, ReopenResumesFromTheCheckpointWithoutDoubleCounting) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    ASSERT_TRUE(store->Apply({Deposited(1, "alice", 1, 100), Deposited(2, "bob", 1, 7)}).ok());
  }
  auto store = OpenStore(dir);
  EXPECT_EQ(store->applied_position(), 2u);
  EXPECT_EQ(BalanceOf(*store, "alice"), 100);
  // A source that resends from before the checkpoint is harmless.
  ASSERT_TRUE(store
                  ->Apply({Deposited(1, "alice", 1, 100), Deposited(2, "bob", 1, 7),
                           Withdrawn(3, "alice", 2, 40)})
                  .ok());
  EXPECT_EQ(BalanceOf(*store, "alice"), 60);
  EXPECT_EQ(BalanceOf(*store, "bob"), 7);
  store.reset();
  store = OpenStore(dir);
  EXPECT_EQ(store->applied_position(), 3u);
  EXPECT_EQ(BalanceOf(*store, "alice"), 60);
  EXPECT_EQ(store->GetHistory("alice", 0, 100)->size(), 2u);
}

TEST(SqliteReadModelTest, HistoryIsOrderedByVersionWithBalanceAfter) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(store
                  ->Apply({Deposited(1, "alice", 1, 100, "cmd-1"), Deposited(2, "bob", 1, 1),
                           Withdrawn(3, "alice", 2, 30, "cmd-2"), Deposited(4, "alice", 3, 5)})
                  .ok());
  absl::StatusOr<std::vector<TransactionRecord>> history = store->GetHistory("alice", 0, 100);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  const TransactionRecord& withdrawal = (*history)[1];
  EXPECT_EQ(withdrawal.version, 2u);
  EXPECT_EQ(withdrawal.position, 3u);
  EXPECT_EQ(withdrawal.kind, bank::v1::Transaction::WITHDRAWAL);
  EXPECT_EQ(withdrawal.amount, 30);
  EXPECT_EQ(withdrawal.balance_after, 70);
  EXPECT_EQ(withdrawal.command_id, "cmd-2");
  EXPECT_EQ(withdrawal.recorded_at, absl::FromUnixSeconds(1700000003) + absl::Microseconds(3));
  EXPECT_EQ((*history)[2].balance_after, 75);
  // Keyset: strictly after a version, bounded by the limit.
  history = store->GetHistory("alice", 1, 1);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].version, 2u);
  EXPECT_TRUE(store->GetHistory("nobody", 0, 10)->empty());
}

TEST(SqliteReadModelTest, ListAccountsIsBytewiseOrderedAfterTheKey) {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::vector<std::string> ids = {"b", "B", "a", "_x", "-", "9", "a.b", ":z"};
  std::vector<bank::v1::Event> events;
  for (const std::string& id : ids) events.push_back(Deposited(events.size() + 1, id, 1, 1));
  ASSERT_TRUE(store->Apply(events).ok());
  std::vector<std::string> listed;
  for (const AccountView& view : store->ListAccounts("", 100)) listed.push_back(view.account_id);
  EXPECT_EQ(listed, (std::vector<std::string>{"-", "9", ":z", "B", "_x", "a", "a.b", "b"}));
  listed.clear();
  for (const AccountView& view : store->ListAccounts("B", 2)) listed.push_back(view.account_id);
  EXPECT_EQ(listed, (std::vector<std::string>{"_x", "a"}));
}

TEST(SqliteReadModelTest, ATransfersLegsMoveTheMoneyAndNameEachOther) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::vector<bank::v1::Event> events = {Deposited(1, "alice", 1, 100)};
  for (bank::v1::Event& leg : Transferred(2, "alice", 2, "bob", 1, 60, "t-1")) {
    events.push_back(std::move(leg));
  }
  ASSERT_TRUE(store->Apply(events).ok());
  EXPECT_EQ(store->applied_position(), 3u);
  EXPECT_EQ(BalanceOf(*store, "alice"), 40);
  EXPECT_EQ(BalanceOf(*store, "bob"), 60);

  absl::StatusOr<std::vector<TransactionRecord>> alice = store->GetHistory("alice", 1, 10);
  ASSERT_TRUE(alice.ok() && alice->size() == 1u);
  EXPECT_EQ((*alice)[0].kind, bank::v1::Transaction::TRANSFER_OUT);
  EXPECT_EQ((*alice)[0].amount, 60);
  EXPECT_EQ((*alice)[0].balance_after, 40);
  EXPECT_EQ((*alice)[0].counterparty_account_id, "bob");
  EXPECT_EQ((*alice)[0].command_id, "t-1");
  absl::StatusOr<std::vector<TransactionRecord>> bob = store->GetHistory("bob", 0, 10);
  ASSERT_TRUE(bob.ok() && bob->size() == 1u);
  EXPECT_EQ((*bob)[0].kind, bank::v1::Transaction::TRANSFER_IN);
  EXPECT_EQ((*bob)[0].position, 3u);
  EXPECT_EQ((*bob)[0].balance_after, 60);
  EXPECT_EQ((*bob)[0].counterparty_account_id, "alice");
  // A deposit has no counterparty.
  EXPECT_EQ(store->GetHistory("alice", 0, 1)->at(0).counterparty_account_id, "");
  // An out leg that would overdraw is refused with the whole batch.
  EXPECT_EQ(store->Apply(Transferred(4, "alice", 3, "bob", 2, 41)).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store->applied_position(), 3u);
  EXPECT_EQ(BalanceOf(*store, "bob"), 60);
}

// A projection file written by the release before transfers (schema version
// 2) opens, keeps its history, and takes transfers.
TEST(SqliteReadModelTest, ASchemaVersion2FileIsMigratedAndKeepsItsHistory) {
  TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<SqliteDb>> db =
        SqliteDb::Open(absl::StrCat(dir.path(), "/", SqliteReadModel::kFileName));
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)
                    ->Exec(R"sql(
      CREATE TABLE accounts (account_id TEXT PRIMARY KEY, balance INTEGER NOT NULL,
        version INTEGER NOT NULL, last_position INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE transactions (position INTEGER PRIMARY KEY, account_id TEXT NOT NULL,
        version INTEGER NOT NULL, kind INTEGER NOT NULL, amount INTEGER NOT NULL,
        balance_after INTEGER NOT NULL, command_id TEXT NOT NULL,
        recorded_at_seconds INTEGER NOT NULL, recorded_at_nanos INTEGER NOT NULL,
        principal TEXT NOT NULL DEFAULT '');
      CREATE UNIQUE INDEX transactions_by_account ON transactions (account_id, version);
      CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
      INSERT INTO accounts VALUES ('alice', 100, 1, 1);
      INSERT INTO transactions VALUES (1, 'alice', 1, 1, 100, 100, 'd-1', 1700000001, 0, 'teller');
      INSERT INTO checkpoint VALUES (1, 1);
      PRAGMA user_version = 2;
    )sql")
                    .ok());
  }
  auto store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->applied_position(), 1u);
  ASSERT_TRUE(store->Apply(Transferred(2, "alice", 2, "bob", 1, 30)).ok());
  absl::StatusOr<std::vector<TransactionRecord>> alice = store->GetHistory("alice", 0, 10);
  ASSERT_TRUE(alice.ok() && alice->size() == 2u);
  EXPECT_EQ((*alice)[0].kind, bank::v1::Transaction::DEPOSIT);
  EXPECT_EQ((*alice)[0].principal, "teller");
  EXPECT_EQ((*alice)[0].counterparty_account_id, "");
  EXPECT_EQ((*alice)[1].counterparty_account_id, "bob");
  EXPECT_EQ(BalanceOf(*store, "alice"), 70);
}

// Not an assertion on speed (the machine is shared), a measurement: the
// rebuild rate over 10k accounts in the projector's batch size, printed for
// the record. BANK_QUERY_BENCH_EVENTS=1000000 in a release build is the real
// run.
TEST(SqliteReadModelTest, RebuildThroughputIsReported) {
  TempDir dir;
  auto store = OpenStore(dir);
  const char* env = getenv("BANK_QUERY_BENCH_EVENTS");
  const int total = env != nullptr ? atoi(env) : 40000;
  constexpr int kAccounts = 10000;
  const size_t kBatch = ProjectorOptions().max_batch_events;
  std::vector<uint64_t> versions(kAccounts, 0);
  std::vector<bank::v1::Event> batch;
  absl::Duration spent;
  for (int position = 1; position <= total; ++position) {
    const int account = (position * 7919) % kAccounts;
    batch.push_back(Deposited(position, absl::StrCat("acct-", account), ++versions[account], 1));
    if (batch.size() == kBatch || position == total) {
      const absl::Time start = absl::Now();
      ASSERT_TRUE(store->Apply(batch).ok());
      spent += absl::Now() - start;
      batch.clear();
    }
  }
  EXPECT_EQ(store->applied_position(), static_cast<uint64_t>(total));
  spdlog::info("applied {} events over {} accounts in {}: {:.0f} events/s", total, kAccounts,
               absl::FormatDuration(spent), total / absl::ToDoubleSeconds(spent));
}

}  // namespace
}  // namespace bank::query
