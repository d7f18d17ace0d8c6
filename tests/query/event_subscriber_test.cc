#include "query-service/event_subscriber.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "query-service/position_waiters.h"
#include "query-service/projector.h"
#include "query-service/query_metrics.h"
#include "query-service/source_status.h"
#include "query-service/sqlite/sqlite_read_model.h"
#include "tests/query/failing_sqlite_vfs.h"
#include "tests/query/fake_command_service.h"
#include "tests/query/test_util.h"
#include "tests/support/metrics_samples.h"

namespace bank::query {
namespace {

using ::bank::query::testing::Deposited;
using ::bank::query::testing::FailingSqliteVfs;
using ::bank::query::testing::FakeCommandService;
using ::bank::query::testing::FakeServer;
using ::bank::query::testing::TempDir;
using ::bank::query::testing::WaitFor;

constexpr BackoffOptions kFastBackoff = {
    .initial = absl::Milliseconds(10), .max = absl::Milliseconds(100), .multiplier = 2.0};

// Deposits of 1..n cents spread over three accounts, with dense versions.
class LogBuilder {
 public:
  std::vector<bank::v1::Event> Next(int count) {
    std::vector<bank::v1::Event> events;
    for (int i = 0; i < count; ++i) {
      const uint64_t position = ++position_;
      const std::string account = kAccounts[position % 3];
      events.push_back(Deposited(position, account, ++versions_[account], position));
      balances_[account] += position;
    }
    return events;
  }
  int64_t balance(const std::string& account) { return balances_[account]; }

  static constexpr const char* kAccounts[] = {"alice", "bob", "carol"};

 private:
  uint64_t position_ = 0;
  std::map<std::string, uint64_t> versions_;
  std::map<std::string, int64_t> balances_;
};

// The query side's read path, wired as main() wires it, following `target`,
// or one of the replicas in `targets`.
class QuerySide {
 public:
  QuerySide(const TempDir& dir, const std::string& target, StreamWatchdogOptions watchdog = {})
      : QuerySide(dir, std::vector<std::string>{target}, watchdog) {}
  QuerySide(const TempDir& dir, std::vector<std::string> targets,
            StreamWatchdogOptions watchdog = {}) {
    absl::StatusOr<std::unique_ptr<SqliteReadModel>> opened = SqliteReadModel::Open(dir.path());
    EXPECT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    waiters_ = std::make_unique<PositionWaiters>(store_->applied_position());
    source_ = std::make_unique<SourceStatus>(store_->applied_position());
    projector_ = std::make_unique<Projector>(store_.get(), waiters_.get());
    metrics_ = MakeQueryMetrics(*store_, *source_);
    subscriber_ =
        std::make_unique<EventSubscriber>(EventSubscriberOptions{.targets = std::move(targets),
                                                                 .backoff = kFastBackoff,
                                                                 .watchdog = watchdog,
                                                                 .security = {}},
                                          store_.get(), projector_.get(), source_.get());
    subscriber_->Start();
  }
  ~QuerySide() {
    subscriber_->Stop();
    projector_->Stop();
    waiters_->Shutdown();
  }

  bool WaitApplied(uint64_t position) {
    return WaitFor([&] { return store_->applied_position() >= position; });
  }
  int64_t Balance(const std::string& account) { return store_->GetAccount(account)->state.balance; }
  const SqliteReadModel& store() { return *store_; }
  const SourceStatus& source() { return *source_; }
  // The value of an unlabelled bank_projection_* metric, as a scrape reads it.
  double Metric(const std::string& name) {
    absl::StatusOr<std::map<std::string, double>> samples =
        ::bank::testing::ParseSamples(::bank::testing::Exposition(metrics_->collectables()));
    EXPECT_TRUE(samples.ok()) << samples.status();
    return samples.ok() && samples->contains(name) ? samples->at(name) : -1;
  }

 private:
  std::unique_ptr<SqliteReadModel> store_;
  std::unique_ptr<PositionWaiters> waiters_;
  std::unique_ptr<SourceStatus> source_;
  std::unique_ptr<Projector> projector_;
  std::unique_ptr<metrics::ServiceMetrics> metrics_;
  std::unique_ptr<EventSubscriber> subscriber_;
};

void ExpectBalancesMatch(QuerySide& query, LogBuilder& log) {
  for (const char* account : LogBuilder::kAccounts) {
    EXPECT_EQ(query.Balance(account), log.balance(account)) << account;
  }
}

TEST(EventSubscriberTest, AppliesHistoryThenLiveEvents) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake;
  fake.Append(log.Next(50));
  FakeServer server(&fake);
  QuerySide query(dir, server.address());
  ASSERT_TRUE(query.WaitApplied(50));
  fake.Append(log.Next(10));
  ASSERT_TRUE(query.WaitApplied(60));
  ExpectBalancesMatch(query, log);
  EXPECT_TRUE(query.source().connected());
  EXPECT_EQ(query.source().head(), 60u);
  EXPECT_EQ(fake.subscriptions(), std::vector<uint64_t>{0});
}

TEST(EventSubscriberTest, HeartbeatsMarkTheSourceConnectedWithoutEvents) {
  TempDir dir;
  FakeCommandService fake;
  FakeServer server(&fake);
  QuerySide query(dir, server.address());
  ASSERT_TRUE(WaitFor([&] { return query.source().connected(); }));
  EXPECT_EQ(query.store().applied_position(), 0u);
  EXPECT_EQ(query.source().head(), 0u);
}

TEST(EventSubscriberTest, GapIsNeverAppliedAndIsResolvedByResubscribing) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake(/*batch=*/10);
  fake.Append(log.Next(10));
  // The first message loses position 4: 1, 2, 3, 5, 6 ...
  fake.TamperNextMessage(
      [](bank::v1::SubscribeResponse& message) { message.mutable_events()->DeleteSubrange(3, 1); });
  FakeServer server(&fake);
  QuerySide query(dir, server.address());
  ASSERT_TRUE(query.WaitApplied(10));
  ExpectBalancesMatch(query, log);
  // 1..3 were applied, the rest refused; the retry asked from the checkpoint.
  EXPECT_EQ(fake.subscriptions(), (std::vector<uint64_t>{0, 3}));
  EXPECT_EQ(query.store().GetHistory("alice", 0, 100)->size(), 3u);
}

TEST(EventSubscriberTest, RepeatedPositionIsNeverAppliedAndIsResolvedByResubscribing) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake(/*batch=*/10);
  fake.Append(log.Next(10));
  // The first message repeats position 2: 1, 2, 2, 3 ...
  fake.TamperNextMessage([](bank::v1::SubscribeResponse& message) {
    const auto original = message.events();
    message.clear_events();
    for (int i = 0; i < original.size(); ++i) {
      *message.add_events() = original[i];
      if (i == 1) *message.add_events() = original[i];
    }
  });
  FakeServer server(&fake);
  QuerySide query(dir, server.address());
  ASSERT_TRUE(query.WaitApplied(10));
  ExpectBalancesMatch(query, log);
  EXPECT_EQ(fake.subscriptions(), (std::vector<uint64_t>{0, 2}));
}

TEST(EventSubscriberTest, ReconnectsWhenTheCommandServiceRestartsOnTheSamePort) {
  TempDir dir;
  LogBuilder log;
  const std::vector<bank::v1::Event> first = log.Next(5);
  FakeCommandService before;
  before.Append(first);
  // Declared before the server: a service must outlive the server running it,
  // whose threads may still be inside Subscribe until it shuts down.
  FakeCommandService after;
  auto server = std::make_unique<FakeServer>(&before);
  const int port = server->port();
  QuerySide query(dir, server->address());
  ASSERT_TRUE(query.WaitApplied(5));
  ASSERT_TRUE(WaitFor([&] { return query.source().connected(); }));

  server->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return !query.source().connected(); }));

  // The restarted service has the same log, and more.
  after.Append(first);
  after.Append(log.Next(5));
  const absl::Time restarted = absl::Now();
  server = std::make_unique<FakeServer>(&after, port);
  ASSERT_EQ(server->port(), port);
  ASSERT_TRUE(query.WaitApplied(10));
  // Backoff is capped at 100 ms here: far from gRPC's own ~5 s reconnect.
  EXPECT_LT(absl::Now() - restarted, absl::Seconds(3));
  ExpectBalancesMatch(query, log);
  ASSERT_FALSE(after.subscriptions().empty());
  EXPECT_EQ(after.subscriptions().front(), 5u);
  EXPECT_TRUE(WaitFor([&] { return query.source().connected(); }));
}

TEST(EventSubscriberTest, MetricsShowTheSourceAwayThenTheLagOfWhatItHeldUntilCaughtUp) {
  TempDir dir;
  LogBuilder log;
  const std::vector<bank::v1::Event> first = log.Next(3);
  FakeCommandService before;
  before.Append(first);
  FakeCommandService after;  // outlives the server below, as in the test above
  auto server = std::make_unique<FakeServer>(&before);
  const int port = server->port();
  QuerySide query(dir, server->address());
  ASSERT_TRUE(query.WaitApplied(3));
  ASSERT_TRUE(WaitFor([&] { return query.Metric("bank_projection_source_connected") == 1; }));
  EXPECT_EQ(query.Metric("bank_projection_lag_events"), 0);

  server->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return query.Metric("bank_projection_source_connected") == 0; }));

  // Commands while it was away: the source returns five events ahead, and
  // holds them back at first (heartbeats carry its head).
  after.Append(first);
  after.Append(log.Next(5));
  after.Withhold(true);
  server = std::make_unique<FakeServer>(&after, port);
  ASSERT_EQ(server->port(), port);
  ASSERT_TRUE(WaitFor([&] { return query.Metric("bank_projection_lag_events") == 5; }));
  EXPECT_EQ(query.Metric("bank_projection_source_connected"), 1);
  EXPECT_EQ(query.Metric("bank_projection_source_head_position"), 8);
  EXPECT_EQ(query.Metric("bank_projection_applied_position"), 3);

  after.Withhold(false);
  ASSERT_TRUE(query.WaitApplied(8));
  EXPECT_EQ(query.Metric("bank_projection_lag_events"), 0);
  EXPECT_EQ(query.Metric("bank_projection_applied_position"), 8);
  ExpectBalancesMatch(query, log);
}

TEST(EventSubscriberTest, RestartedQuerySideResumesFromItsCheckpoint) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake;
  fake.Append(log.Next(7));
  FakeServer server(&fake);
  {
    QuerySide query(dir, server.address());
    ASSERT_TRUE(query.WaitApplied(7));
  }
  fake.Append(log.Next(3));
  QuerySide query(dir, server.address());
  ASSERT_TRUE(query.WaitApplied(10));
  ExpectBalancesMatch(query, log);
  EXPECT_EQ(fake.subscriptions(), (std::vector<uint64_t>{0, 7}));
}

TEST(EventSubscriberTest, StopsPromptlyWhileTheSourceIsDown) {
  TempDir dir;
  FakeCommandService fake;
  int port = 0;
  {
    FakeServer server(&fake);
    port = server.port();
  }
  const absl::Time start = absl::Now();
  {
    QuerySide query(dir, absl::StrCat("127.0.0.1:", port));
    EXPECT_FALSE(query.source().connected());
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

// The full-disk stall: a catch-up batch queued for the projector's thread
// fails to commit after Submit() returned, and the stream then carries only
// heartbeats. The subscriber must notice, back off, resubscribe from the
// checkpoint and, once writes succeed, apply everything exactly once.
TEST(EventSubscriberTest, FailedWritesAreRetriedWithGrowingBackoffAndResumedExactlyOnce) {
  FailingSqliteVfs vfs;
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake(/*batch=*/10);
  fake.Append(log.Next(4));
  // The first message claims a head beyond its events, so it is queued for
  // the projector's thread instead of being applied by the subscriber's.
  fake.TamperNextMessage(
      [](bank::v1::SubscribeResponse& message) { message.set_head_position(5); });
  FakeServer server(&fake);
  {
    // The watchdog's stall clock stays out of this: only the subscriber's own
    // checks may end these streams.
    QuerySide query(dir, server.address(), {.stall_timeout = absl::Hours(1)});
    vfs.SetFailing(true);
    ASSERT_TRUE(WaitFor([&] { return fake.subscriptions().size() >= 6; }));
    EXPECT_EQ(query.store().applied_position(), 0u);
    vfs.SetFailing(false);
    ASSERT_TRUE(query.WaitApplied(4));
    fake.Append(log.Next(3));
    ASSERT_TRUE(query.WaitApplied(7));
    ExpectBalancesMatch(query, log);
    EXPECT_EQ(query.store().GetHistory("alice", 0, 100)->size(), 2u);
    EXPECT_EQ(query.store().GetHistory("bob", 0, 100)->size(), 3u);
    EXPECT_TRUE(WaitFor([&] { return query.source().connected(); }));
  }
  EXPECT_GT(vfs.refused(), 0);
  // Every failed attempt resubscribed from the checkpoint (0), each after
  // at least the backoff's floor: half of initial * 2^n, capped. The gaps are
  // measured on the clock the subscriber sleeps on, so they can only be longer.
  const std::vector<uint64_t> after = fake.subscriptions();
  const std::vector<absl::Time> at = fake.subscribed_at();
  ASSERT_GE(after.size(), 6u);
  absl::Duration ceiling = kFastBackoff.initial;
  for (size_t i = 1; i < 6; ++i) {
    EXPECT_EQ(after[i], 0u) << i;
    EXPECT_GE(at[i] - at[i - 1], ceiling / 2) << i;
    ceiling = std::min(ceiling * kFastBackoff.multiplier, kFastBackoff.max);
  }
}

TEST(EventSubscriberTest, ASilentStreamIsDroppedAndResubscribed) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake;
  fake.Append(log.Next(3));
  FakeServer server(&fake);
  QuerySide query(dir, server.address(), {.silence_timeout = absl::Milliseconds(200)});
  ASSERT_TRUE(query.WaitApplied(3));
  fake.SetSilent(true);
  ASSERT_TRUE(WaitFor([&] { return fake.subscriptions().size() >= 2; }));
  fake.SetSilent(false);
  fake.Append(log.Next(2));
  ASSERT_TRUE(query.WaitApplied(5));
  ExpectBalancesMatch(query, log);
  EXPECT_EQ(fake.subscriptions()[1], 3u);
}

TEST(EventSubscriberTest, NoProgressBehindTheHeadIsDroppedAndResubscribed) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService fake;
  fake.Append(log.Next(3));
  FakeServer server(&fake);
  QuerySide query(dir, server.address(), {.stall_timeout = absl::Milliseconds(200)});
  ASSERT_TRUE(query.WaitApplied(3));
  // The head moves on; the stream never delivers it.
  fake.Withhold(true);
  fake.Append(log.Next(2));
  ASSERT_TRUE(WaitFor([&] { return fake.subscriptions().size() >= 2; }));
  EXPECT_EQ(fake.subscriptions()[1], 3u);
  fake.Withhold(false);
  ASSERT_TRUE(query.WaitApplied(5));
  ExpectBalancesMatch(query, log);
}

// Replicas share one store: each fake serves the same log.
void AppendToAll(const std::vector<bank::v1::Event>& events,
                 const std::vector<FakeCommandService*>& replicas) {
  for (FakeCommandService* replica : replicas) replica->Append(events);
}

void ExpectEachEventAppliedOnce(QuerySide& query, uint64_t total) {
  size_t transactions = 0;
  for (const char* account : LogBuilder::kAccounts) {
    transactions += query.store().GetHistory(account, 0, 1000)->size();
  }
  EXPECT_EQ(transactions, total);
}

TEST(EventSubscriberReplicasTest, FollowsTheNextReplicaFromTheCheckpointWhenOneFailsMidStream) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService first(/*batch=*/4);
  FakeCommandService second(/*batch=*/4);
  AppendToAll(log.Next(10), {&first, &second});
  // The first replica breaks after its first message: positions 1..4.
  first.FailAfter(4);
  FakeServer first_server(&first);
  FakeServer second_server(&second);
  QuerySide query(dir, {first_server.address(), second_server.address()});
  ASSERT_TRUE(query.WaitApplied(10));
  AppendToAll(log.Next(3), {&first, &second});
  ASSERT_TRUE(query.WaitApplied(13));
  ExpectBalancesMatch(query, log);
  ExpectEachEventAppliedOnce(query, 13);
  EXPECT_EQ(first.subscriptions(), std::vector<uint64_t>{0});
  EXPECT_EQ(second.subscriptions(), std::vector<uint64_t>{4});
  EXPECT_TRUE(query.source().connected());
  EXPECT_EQ(query.source().head(), 13u);
}

TEST(EventSubscriberReplicasTest, FollowsTheNextReplicaWhenOneGoesAway) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService first;
  FakeCommandService second;
  AppendToAll(log.Next(5), {&first, &second});
  auto first_server = std::make_unique<FakeServer>(&first);
  FakeServer second_server(&second);
  QuerySide query(dir, {first_server->address(), second_server.address()});
  ASSERT_TRUE(query.WaitApplied(5));
  first_server->Shutdown();
  // Written through the surviving replica only.
  second.Append(log.Next(5));
  ASSERT_TRUE(query.WaitApplied(10));
  ExpectBalancesMatch(query, log);
  ExpectEachEventAppliedOnce(query, 10);
  EXPECT_EQ(first.subscriptions(), std::vector<uint64_t>{0});
  ASSERT_FALSE(second.subscriptions().empty());
  EXPECT_EQ(second.subscriptions().front(), 5u);
}

TEST(EventSubscriberReplicasTest, AReplicaThatCannotBeReachedIsSkipped) {
  TempDir dir;
  LogBuilder log;
  int closed_port = 0;
  {
    FakeCommandService gone;
    FakeServer server(&gone);
    closed_port = server.port();
  }
  FakeCommandService live;
  live.Append(log.Next(6));
  FakeServer live_server(&live);
  QuerySide query(dir, {absl::StrCat("127.0.0.1:", closed_port), live_server.address()});
  ASSERT_TRUE(query.WaitApplied(6));
  ExpectBalancesMatch(query, log);
  EXPECT_EQ(live.subscriptions(), std::vector<uint64_t>{0});
}

TEST(EventSubscriberReplicasTest, GoesRoundTheListBackToTheFirstReplica) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService first(/*batch=*/4);
  FakeCommandService second(/*batch=*/4);
  AppendToAll(log.Next(12), {&first, &second});
  first.FailAfter(4);
  second.FailAfter(8);
  FakeServer first_server(&first);
  FakeServer second_server(&second);
  QuerySide query(dir, {first_server.address(), second_server.address()});
  ASSERT_TRUE(query.WaitApplied(12));
  ExpectBalancesMatch(query, log);
  ExpectEachEventAppliedOnce(query, 12);
  EXPECT_EQ(first.subscriptions(), (std::vector<uint64_t>{0, 8}));
  EXPECT_EQ(second.subscriptions(), std::vector<uint64_t>{4});
}

TEST(EventSubscriberReplicasTest, AReplicaDroppedByTheWatchdogIsLeftForTheNext) {
  TempDir dir;
  LogBuilder log;
  FakeCommandService first;
  FakeCommandService second;
  AppendToAll(log.Next(3), {&first, &second});
  FakeServer first_server(&first);
  FakeServer second_server(&second);
  QuerySide query(dir, {first_server.address(), second_server.address()},
                  {.silence_timeout = absl::Milliseconds(200)});
  ASSERT_TRUE(query.WaitApplied(3));
  first.SetSilent(true);
  ASSERT_TRUE(WaitFor([&] { return !second.subscriptions().empty(); }));
  AppendToAll(log.Next(2), {&first, &second});
  ASSERT_TRUE(query.WaitApplied(5));
  ExpectBalancesMatch(query, log);
  ExpectEachEventAppliedOnce(query, 5);
  EXPECT_EQ(first.subscriptions(), std::vector<uint64_t>{0});
  EXPECT_EQ(second.subscriptions(), std::vector<uint64_t>{3});
}

// A measurement, not an assertion: a rebuild through gRPC, the subscriber,
// the projector and SQLite over 10k accounts, 512 events per message.
// BANK_QUERY_BENCH_EVENTS=1000000 in a release build is the real run.
TEST(EventSubscriberTest, RebuildThroughputIsReported) {
  const char* env = getenv("BANK_QUERY_BENCH_EVENTS");
  const uint64_t total = env != nullptr ? strtoull(env, nullptr, 10) : 40000;
  constexpr int kAccounts = 10000;
  std::vector<uint64_t> versions(kAccounts, 0);
  std::vector<bank::v1::Event> events;
  events.reserve(total);
  for (uint64_t position = 1; position <= total; ++position) {
    const int account = static_cast<int>((position * 7919) % kAccounts);
    events.push_back(Deposited(position, absl::StrCat("acct-", account), ++versions[account], 1));
  }
  FakeCommandService fake(/*batch=*/512);
  fake.Append(events);
  events.clear();
  FakeServer server(&fake);
  TempDir dir;
  const absl::Time start = absl::Now();
  QuerySide query(dir, server.address());
  ASSERT_TRUE(query.WaitApplied(total));
  const absl::Duration spent = absl::Now() - start;
  spdlog::info("rebuilt {} events over {} accounts through Subscribe in {}: {:.0f} events/s", total,
               kAccounts, absl::FormatDuration(spent), total / absl::ToDoubleSeconds(spent));
}

}  // namespace
}  // namespace bank::query
