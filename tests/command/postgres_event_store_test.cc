// What only the PostgreSQL store has to prove, beyond the conformance suite:
// gapless positions under several replicas' concurrent commits as a raw
// reader of the table sees them, live events across replicas, and the
// schema's creation and checks.
#include "command-service/store/postgres/postgres_event_store.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "command-service/store/postgres/pg_binary.h"
#include "command-service/store/postgres/pg_connection.h"
#include "command-service/store/postgres/schema.h"
#include "command-service/store/postgres/store_sql.h"
#include "tests/command/log_test_util.h"
#include "tests/support/test_postgres.h"

namespace bank::store::postgres {
namespace {

using ::bank::testing::DepositEvent;

// Appends one event and commits; returns its answer, which another thread's
// Commit may have given.
absl::StatusOr<uint64_t> AppendAndWait(EventStore& store, bank::v1::Event event) {
  absl::Notification answered;
  absl::StatusOr<uint64_t> answer;
  store.Append({std::move(event)}, [&](absl::StatusOr<uint64_t> position) {
    answer = std::move(position);
    answered.Notify();
  });
  store.Commit();
  answered.WaitForNotification();
  return answer;
}

// Whether `condition` holds within a generous bound: the test asserts that
// it comes true, not how fast.
bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 3000; ++i) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return condition();
}

class PostgresEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> uri = testing::TestPostgresUri();
    if (!uri.has_value()) {
      GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set: scripts/test.sh starts a server";
    }
    uri_ = *uri;
    schema_ = testing::FreshSchemaName("pgstore");
  }
  void TearDown() override {
    if (!schema_.empty()) {
      EXPECT_TRUE(testing::DropSchema(schema_).ok());
    }
  }

  absl::StatusOr<std::unique_ptr<PostgresEventStore>> OpenReplica(int replica) {
    return PostgresEventStore::Open(
        {.uri = uri_, .schema = schema_, .application_name = absl::StrCat(schema_, "_", replica)});
  }

  std::string uri_;
  std::string schema_;
};

TEST_F(PostgresEventStoreTest, ARawReaderNeverSeesAHoleUnderThreeReplicasCommittingAtOnce) {
  constexpr int kReplicas = 3;
  constexpr int kThreadsPerReplica = 4;
  constexpr int kEventsPerThread = 60;
  constexpr uint64_t kTotal = kReplicas * kThreadsPerReplica * kEventsPerThread;
  std::vector<std::unique_ptr<PostgresEventStore>> replicas;
  for (int r = 0; r < kReplicas; ++r) {
    auto store = OpenReplica(r);
    ASSERT_TRUE(store.ok()) << store.status();
    replicas.push_back(std::move(*store));
  }
  // The reader polls the table itself, as any SQL client would: each poll
  // must continue exactly where the last one stopped.
  auto reader = Connection::Open({.uri = uri_, .application_name = "raw-reader"});
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE(
      (*reader)
          ->Prepare({{"poll", absl::StrCat("SELECT position FROM ", Table(schema_, "events"),
                                           " WHERE position > $1::int8 ORDER BY position")}})
          .ok());
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int r = 0; r < kReplicas; ++r) {
    for (int t = 0; t < kThreadsPerReplica; ++t) {
      writers.emplace_back([&, r, t] {
        const std::string account = absl::StrCat("r", r, "t", t);
        for (int i = 1; i <= kEventsPerThread; ++i) {
          ASSERT_TRUE(AppendAndWait(*replicas[r], DepositEvent(account, i, 1)).ok());
        }
      });
    }
  }
  std::thread stop([&] {
    for (std::thread& writer : writers) writer.join();
    writing = false;
  });
  uint64_t last = 0;
  int polls = 0;
  while (last < kTotal) {
    const bool was_writing = writing;
    auto rows = (*reader)->Execute("poll", Params().Add(Int8(static_cast<int64_t>(last))));
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (int row = 0; row < PQntuples(rows->get()); ++row) {
      const uint64_t position = static_cast<uint64_t>(GetInt8(rows->get(), row, 0));
      ASSERT_EQ(position, last + 1) << "a hole after position " << last << " on poll " << polls;
      last = position;
    }
    ++polls;
    if (!was_writing) break;
  }
  stop.join();
  EXPECT_EQ(last, kTotal);
  EXPECT_GT(polls, 3) << "the reader should have polled while commits were running";
}

// A prepared statement may get one plan for any parameters (a generic
// plan), and keep it, even one costed on the table while it was small. Each
// read of the store, planned that way, must still use an index once the
// table has grown: a sequential scan is a cost per commit that grows with
// the store.
TEST_F(PostgresEventStoreTest, EveryReadUsesAnIndexEvenWithAPlanMadeWhileTheTableWasSmall) {
  auto store = OpenReplica(0);
  ASSERT_TRUE(store.ok()) << store.status();
  // No ANALYZE but the test's own may replace the plans made below.
  ASSERT_TRUE(testing::RunSql(absl::StrCat("ALTER TABLE ", Table(schema_, "events"),
                                           " SET (autovacuum_enabled = false)"))
                  .ok());
  auto connection = testing::AdminConnection();
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->ExecuteSql("SET plan_cache_mode TO force_generic_plan").ok());
  ASSERT_TRUE((*connection)->Prepare(StoreStatements(schema_)).ok());
  const std::vector<std::string> reads = {
      "account_versions('{account-1}')",
      "stored_commands('{command-1}')",
      "read_accounts_after('{account-1}', '{0}')",
      "read_range(0, 512)",
      "read_account('account-1', 0)",
      "read_command('command-1')",
  };
  auto insert_events = [&](int first, int last) {
    // 100 accounts, a command id each
    return testing::RunSql(absl::StrCat(
        "INSERT INTO ", Table(schema_, "events"),
        " (position, group_end, account_id, version, command_id, recorded_at, principal, "
        "schema_version, payload) SELECT g, g, 'account-' || g % 100, g / 100 + 1, 'command-' || "
        "g, "
        "now(), '', 1, '' FROM generate_series(",
        first, ", ", last, ") g"));
  };
  ASSERT_TRUE(insert_events(1, 199).ok());
  ASSERT_TRUE(testing::RunSql(absl::StrCat("ANALYZE ", Table(schema_, "events"))).ok());
  for (const std::string& read : reads) {
    ASSERT_TRUE((*connection)->ExecuteSql(absl::StrCat("EXECUTE ", read)).ok()) << read;
  }
  ASSERT_TRUE(insert_events(200, 20000).ok());
  for (const std::string& read : reads) {
    auto plan = (*connection)->ExecuteSql(absl::StrCat("EXPLAIN EXECUTE ", read));
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::string text;
    for (int row = 0; row < PQntuples(plan->get()); ++row) {
      absl::StrAppend(&text, PQgetvalue(plan->get(), row, 0), "\n");
    }

    EXPECT_EQ(text.find("Seq Scan on events"), std::string::npos) << read << ":\n" << text;
    EXPECT_EQ(text.find("Bitmap Heap Scan on events"), std::string::npos) << read << ":\n" << text;
  }
}

TEST_F(PostgresEventStoreTest, AReplicaHearsTheOthersCommitsWithoutPollingAndCanReadThem) {
  auto writer = OpenReplica(0);
  auto follower = OpenReplica(1);
  ASSERT_TRUE(writer.ok() && follower.ok());
  absl::Mutex mu;
  std::vector<uint64_t> heard;
  (*follower)->AddHeadListener([&](uint64_t head) {
    absl::MutexLock lock(&mu);
    heard.push_back(head);
  });
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(AppendAndWait(**writer, DepositEvent("x", i, i)).ok());
  ASSERT_TRUE(Eventually([&] { return (*follower)->durable_head() == 3; }));
  {
    absl::MutexLock lock(&mu);
    ASSERT_FALSE(heard.empty());
    EXPECT_EQ(heard.back(), 3u);
    EXPECT_TRUE(std::is_sorted(heard.begin(), heard.end()));
  }
  std::vector<bank::v1::Event> events;
  ASSERT_TRUE((*follower)->ReadAfter(0, 100, &events).ok());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].deposited().amount(), 3);
  // And it appends after them, at the next position.
  absl::StatusOr<uint64_t> next = AppendAndWait(**follower, DepositEvent("y", 1, 1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, 4u);
}

TEST_F(PostgresEventStoreTest, ReplicasStartingTogetherOnAnEmptyDatabaseAllOpenOneSchema) {
  constexpr int kReplicas = 6;
  std::vector<absl::Status> opened(kReplicas);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReplicas; ++r) {
    threads.emplace_back([&, r] { opened[r] = OpenReplica(r).status(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : opened) EXPECT_TRUE(status.ok()) << status;
  auto reopened = OpenReplica(0);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->durable_head(), 0u);
}

TEST_F(PostgresEventStoreTest, ASchemaFromANewerReleaseRefusesToOpenAndIsLeftAlone) {
  {
    auto store = OpenReplica(0);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(AppendAndWait(**store, DepositEvent("kept", 1, 7)).ok());
  }
  ASSERT_TRUE(testing::RunSql(absl::StrCat("UPDATE ", Table(schema_, "store_meta"),
                                           " SET value = 2 WHERE key = 'schema_version'"))
                  .ok());
  auto refused = OpenReplica(0);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_NE(refused.status().message().find("newer release"), absl::string_view::npos)
      << refused.status();
  // Back to this release's version: the event is still there.
  ASSERT_TRUE(testing::RunSql(absl::StrCat("UPDATE ", Table(schema_, "store_meta"),
                                           " SET value = 1 WHERE key = 'schema_version'"))
                  .ok());
  auto store = OpenReplica(0);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->durable_head(), 1u);
}

TEST_F(PostgresEventStoreTest, TablesThatAreNotOursRefuseToOpenAndNothingIsCreated) {
  ASSERT_TRUE(testing::RunSql(absl::StrCat("CREATE SCHEMA ", schema_, "; CREATE TABLE ", schema_,
                                           ".accounts (id int)"))
                  .ok());
  auto refused = OpenReplica(0);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_NE(refused.status().message().find("accounts"), absl::string_view::npos)
      << refused.status();
  EXPECT_FALSE(testing::RunSql(absl::StrCat("SELECT 1 FROM ", Table(schema_, "events"))).ok());
}

TEST_F(PostgresEventStoreTest, AnUnreachableDatabaseIsUnavailableNotAStartUpError) {
  // Port 1 on loopback: nothing listens there.
  auto store = PostgresEventStore::Open(
      {.uri = "postgresql://bank:secret@127.0.0.1:1/bank", .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->health().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->health().message().find("secret"), std::string::npos);
  absl::StatusOr<uint64_t> answer = AppendAndWait(**store, DepositEvent("a", 1, 1));
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
  std::vector<bank::v1::Event> events;
  EXPECT_EQ((*store)->ReadAccount("a", 0, &events).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->description().find("secret"), std::string::npos);
  schema_.clear();  // nothing was created
}

TEST_F(PostgresEventStoreTest, EveryConnectionDroppedTheStoreServesAgainByItself) {
  auto store = OpenReplica(0);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(AppendAndWait(**store, DepositEvent("a", 1, 1)).ok());
  std::vector<bank::v1::Event> events;
  ASSERT_TRUE((*store)->ReadAccount("a", 0, &events).ok());  // a pooled read connection
  for (const char* role : {"commit", "listen", "read"}) {
    ASSERT_TRUE(testing::TerminateConnections(absl::StrCat(schema_, "_0:", role)).ok());
  }
  // The listening connection comes back by itself, and with it health.
  ASSERT_TRUE(Eventually([&] { return (*store)->health().ok(); })) << (*store)->health();
  absl::StatusOr<uint64_t> next = AppendAndWait(**store, DepositEvent("a", 2, 1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, 2u);
  events.clear();
  ASSERT_TRUE((*store)->ReadAccount("a", 0, &events).ok());  // the stale pooled one is replaced
  EXPECT_EQ(events.size(), 2u);
}

// What libpq settled on for `keyword` on `connection`.
std::string SettingOf(Connection& connection, absl::string_view keyword) {
  std::string value;
  PQconninfoOption* options = PQconninfo(connection.raw());
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (keyword == option->keyword && option->val != nullptr) value = option->val;
  }
  PQconninfoFree(options);
  return value;
}

TEST_F(PostgresEventStoreTest, ConnectionsGiveUpOnASilentHostInSecondsUnlessTheUriSaysOtherwise) {
  absl::StatusOr<std::unique_ptr<Connection>> ours =
      Connection::Open({.uri = uri_, .application_name = schema_});
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(SettingOf(**ours, "connect_timeout"), "2");
  EXPECT_EQ(SettingOf(**ours, "tcp_user_timeout"), "10000");
  EXPECT_EQ(SettingOf(**ours, "keepalives_idle"), "5");
  EXPECT_EQ(SettingOf(**ours, "keepalives_interval"), "2");
  EXPECT_EQ(SettingOf(**ours, "keepalives_count"), "3");
  const char separator = uri_.find('?') == std::string::npos ? '?' : '&';
  absl::StatusOr<std::unique_ptr<Connection>> users = Connection::Open(
      {.uri = absl::StrCat(uri_, std::string(1, separator), "connect_timeout=7&keepalives_idle=60"),
       .application_name = schema_});
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_EQ(SettingOf(**users, "connect_timeout"), "7");
  EXPECT_EQ(SettingOf(**users, "keepalives_idle"), "60");
}

// A primary whose machine is gone answers nothing: a listening socket whose
// accept queue is full drops every connection attempt the same way.
class SilentHost {
 public:
  SilentHost() : listener_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(listen(listener_, 0), 0);
    EXPECT_EQ(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    for (int& filler : fillers_) {
      filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
  }
  ~SilentHost() {
    for (int filler : fillers_) close(filler);
    close(listener_);
  }
  int port() const { return port_; }

 private:
  int listener_;
  int fillers_[3] = {};
  int port_ = 0;
};

TEST_F(PostgresEventStoreTest, ASilentFirstHostIsPassedOverForTheNext) {
  const size_t at = uri_.find('@');
  if (at == std::string::npos || uri_.find(',', at) != std::string::npos) {
    GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not of the form postgresql://USER@HOST:PORT/...";
  }
  SilentHost gone;
  const std::string uri = absl::StrCat(
      uri_.substr(0, at + 1), "127.0.0.1:", gone.port(), ",", uri_.substr(at + 1),
      uri_.find('?') == std::string::npos ? "?" : "&", "target_session_attrs=read-write");
  const absl::Time start = absl::Now();
  auto store = PostgresEventStore::Open({.uri = uri, .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->health().ok()) << (*store)->health();
  ASSERT_TRUE(AppendAndWait(**store, DepositEvent("a", 1, 1)).ok());
  // Two connections (commit, listen), each waiting connect_timeout first.
  std::cout << "serving past a silent first host after "
            << absl::FormatDuration(absl::Now() - start) << std::endl;
}

TEST_F(PostgresEventStoreTest, TheServersNoticesGoToTheLogNotToStderr) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "captured", std::make_shared<spdlog::sinks::ostream_sink_st>(captured));
  logger->set_pattern("%l %v");
  spdlog::set_default_logger(logger);
  auto connection = Connection::Open({.uri = uri_, .application_name = schema_});
  ASSERT_TRUE(connection.ok()) << connection.status();
  // Outside a transaction, ROLLBACK succeeds with a WARNING notice.
  EXPECT_TRUE((*connection)->ExecuteSql("ROLLBACK").ok());
  spdlog::set_default_logger(previous);
  EXPECT_NE(
      captured.str().find("warning PostgreSQL: WARNING:  there is no transaction in progress"),
      std::string::npos)
      << captured.str();
}

}  // namespace
}  // namespace bank::store::postgres
