// Faults under load on the PostgreSQL store: a replica killed with SIGKILL,
// the database restarted, and the primary lost and its synchronous standby
// promoted. The promise is the contract's: nothing acknowledged is lost or
// doubled, positions stay dense, and replicas serve again by themselves.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "tests/e2e/running_service.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_postgres.h"
#include "tests/support/wait_for.h"

namespace bank::testing {
namespace {

constexpr int kServing = 1;     // grpc.health.v1.HealthCheckResponse.SERVING
constexpr int kNotServing = 2;  // and NOT_SERVING

// Clients depositing 1 with a fresh command id each, over the replicas that
// are up; a failed call is retried with the same id (on the next replica)
// until it is answered, as a careful client would.
class Load {
 public:
  Load(std::vector<bank::v1::CommandService::Stub*> replicas, int clients)
      : replicas_(std::move(replicas)) {
    for (int c = 0; c < clients; ++c) clients_.emplace_back([this, c] { Client(c); });
  }
  ~Load() { Stop(); }

  // Replica `r` is down for good: no client sends to it any more.
  void Drop(int r) { down_[r] = true; }
  bool WaitForAcknowledged(size_t count) {
    return WaitFor([&] { return acknowledged() >= count; }, absl::Seconds(120));
  }
  void Stop() {
    stop_ = true;
    for (std::thread& client : clients_) {
      if (client.joinable()) client.join();
    }
  }
  size_t acknowledged() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_.size();
  }
  // Each acknowledged command id with its position.
  std::map<std::string, uint64_t> acknowledged_ids() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_;
  }
  // When the first command acknowledged after `time` was, if one was.
  std::optional<absl::Time> FirstAcknowledgedAfter(absl::Time time) const {
    absl::MutexLock lock(&mu_);
    const auto first = std::upper_bound(acknowledged_at_.begin(), acknowledged_at_.end(), time);
    if (first == acknowledged_at_.end()) return std::nullopt;
    return *first;
  }

 private:
  void Client(int c) {
    for (int i = 0; !stop_; ++i) {
      const std::string id = absl::StrCat("load-", c, "-", i);
      for (int attempt = 0; !stop_; ++attempt) {
        const int r = (c + attempt) % static_cast<int>(replicas_.size());
        if (down_[r]) continue;
        bank::v1::CommandReply reply;
        const grpc::Status status =
            CallDeposit(*replicas_[r], absl::StrCat("acc", c % 4), 1, &reply, id);
        if (status.ok()) {
          absl::MutexLock lock(&mu_);
          acknowledged_[id] = reply.position();
          acknowledged_at_.push_back(absl::Now());
          break;
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
  }

  const std::vector<bank::v1::CommandService::Stub*> replicas_;
  std::atomic<bool> down_[8] = {};
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::map<std::string, uint64_t> acknowledged_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> acknowledged_at_ ABSL_GUARDED_BY(mu_);  // in order
  std::vector<std::thread> clients_;
};

// Every event the replica behind `stub` streams, up to its head once that
// is at least `at_least` (a replica may hear of the others' last commits a
// moment later: the stream then carries them live).
std::vector<bank::v1::Event> AllEvents(bank::v1::CommandService::Stub& stub, uint64_t at_least) {
  std::vector<bank::v1::Event> events;
  Subscription subscription(stub, 0);
  bank::v1::SubscribeResponse message;
  while (subscription.Read(&message)) {
    for (const bank::v1::Event& event : message.events()) events.push_back(event);
    if (!events.empty() && events.back().position() >= at_least &&
        events.back().position() == message.head_position()) {
      break;
    }
  }
  return events;
}

uint64_t LastPosition(const std::map<std::string, uint64_t>& acknowledged) {
  uint64_t last = 0;
  for (const auto& [id, position] : acknowledged) last = std::max(last, position);
  return last;
}

// Positions dense from 1, and every acknowledged command there exactly once
// at the position its reply gave.
void ExpectEveryAcknowledgedCommandOnce(const std::vector<bank::v1::Event>& events,
                                        const std::map<std::string, uint64_t>& acknowledged) {
  std::map<std::string, int> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].position(), i + 1);
    ++seen[events[i].command_id()];
  }
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id << " stored twice";
  for (const auto& [id, position] : acknowledged) {
    ASSERT_TRUE(seen.contains(id)) << id << " was acknowledged at position " << position
                                   << " and is gone; " << events.size() << " events streamed";
    EXPECT_EQ(events[position - 1].command_id(), id) << "at position " << position;
  }
}

std::unique_ptr<RunningService> StartReplica(const std::string& uri, const std::string& schema) {
  return std::make_unique<RunningService>(
      "command-service", std::vector<std::string>{"--store=" + uri, "--store_schema=" + schema});
}

TEST(ReplicaFaultsE2eTest, AReplicaKilledUnderLoadLosesNothingAcknowledged) {
  const std::optional<std::string> uri = TestPostgresUri();
  if (!uri.has_value()) GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set";
  const std::string schema = FreshSchemaName("killed");
  std::unique_ptr<RunningService> victim = StartReplica(*uri, schema);
  std::unique_ptr<RunningService> survivor = StartReplica(*uri, schema);
  auto victim_stub = bank::v1::CommandService::NewStub(victim->channel());
  auto survivor_stub = bank::v1::CommandService::NewStub(survivor->channel());
  {
    Load load({victim_stub.get(), survivor_stub.get()}, 6);
    ASSERT_TRUE(load.WaitForAcknowledged(150));
    victim->process().Signal(SIGKILL);
    load.Drop(0);
    const size_t at_kill = load.acknowledged();
    ASSERT_TRUE(load.WaitForAcknowledged(at_kill + 150));
    load.Stop();
    const std::map<std::string, uint64_t> acknowledged = load.acknowledged_ids();
    ExpectEveryAcknowledgedCommandOnce(AllEvents(*survivor_stub, LastPosition(acknowledged)),
                                       acknowledged);
  }
  victim->process().Wait();
  EXPECT_TRUE(DropSchema(schema).ok());
}

// A PostgreSQL cluster of this test's own (scripts/postgres-cluster.sh), so
// that restarting or killing it disturbs no other test: a primary, or a
// synchronous streaming standby of `standby_of`.
class PrivateCluster {
 public:
  explicit PrivateCluster(const PrivateCluster* standby_of = nullptr)
      : dir_(absl::StrCat("/tmp/bank-pg-", getpid(), "-", counter_++)) {
    const Outcome started =
        standby_of == nullptr ? Script("start") : Run({"standby", standby_of->dir_, dir_});
    EXPECT_EQ(started.exit_code, 0) << started.err;
    uri_ = std::string(absl::StripAsciiWhitespace(started.out));
  }
  ~PrivateCluster() { Script("stop"); }
  const std::string& uri() const { return uri_; }
  // HOST:PORT, for a multi-host URI.
  std::string host_port() const {
    const size_t at = uri_.find('@') + 1;
    return uri_.substr(at, uri_.find('/', at) - at);
  }
  Outcome Script(const std::string& command) { return Run({command, dir_}); }

 private:
  static Outcome Run(std::vector<std::string> args) {
    args.insert(args.begin(), BANK_SOURCE_DIR "/scripts/postgres-cluster.sh");
    return RunToCompletion("/bin/bash", args);
  }

  static inline std::atomic<int> counter_{0};
  const std::string dir_;
  std::string uri_;
};

TEST(ReplicaFaultsE2eTest, PostgresRestartedUnderLoadReplicasServeAgainWithoutARestart) {
  if (!TestPostgresUri().has_value()) GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set";
  PrivateCluster cluster;
  ASSERT_FALSE(cluster.uri().empty());
  std::vector<std::unique_ptr<RunningService>> replicas;
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> stubs;
  for (int r = 0; r < 2; ++r) {
    replicas.push_back(StartReplica(cluster.uri(), "bank"));
    stubs.push_back(bank::v1::CommandService::NewStub(replicas.back()->channel()));
  }
  Load load({stubs[0].get(), stubs[1].get()}, 4);
  ASSERT_TRUE(load.WaitForAcknowledged(100));
  const Outcome restarted = cluster.Script("restart");
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  const size_t at_restart = load.acknowledged();
  ASSERT_TRUE(load.WaitForAcknowledged(at_restart + 100));
  load.Stop();
  for (const std::unique_ptr<RunningService>& replica : replicas) {
    EXPECT_TRUE(
        WaitFor([&] { return HealthOf(replica->channel(), "") == kServing; }, absl::Seconds(60)));
  }
  const std::map<std::string, uint64_t> acknowledged = load.acknowledged_ids();
  for (const auto& stub : stubs) {
    ExpectEveryAcknowledgedCommandOnce(AllEvents(*stub, LastPosition(acknowledged)), acknowledged);
  }
}

// The issue's failover: a primary with a synchronous standby, replicas on a
// URI naming both, the primary killed under load and the standby promoted.
TEST(ReplicaFaultsE2eTest, PrimaryKilledUnderLoadReplicasMoveToThePromotedStandbyLosingNothing) {
  if (!TestPostgresUri().has_value()) GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set";
  PrivateCluster primary;
  ASSERT_FALSE(primary.uri().empty());
  PrivateCluster standby(&primary);
  ASSERT_FALSE(standby.uri().empty());
  const std::string uri =
      absl::StrCat("postgresql://postgres@", primary.host_port(), ",", standby.host_port(),
                   "/postgres?target_session_attrs=read-write");
  std::vector<std::unique_ptr<RunningService>> replicas;
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> stubs;
  for (int r = 0; r < 2; ++r) {
    replicas.push_back(StartReplica(uri, "bank"));
    stubs.push_back(bank::v1::CommandService::NewStub(replicas.back()->channel()));
  }
  Load load({stubs[0].get(), stubs[1].get()}, 4);
  ASSERT_TRUE(load.WaitForAcknowledged(100));

  const Outcome killed = primary.Script("kill");
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  const absl::Time killed_at = absl::Now();
  for (const std::unique_ptr<RunningService>& replica : replicas) {
    EXPECT_TRUE(WaitFor([&] { return HealthOf(replica->channel(), "") == kNotServing; },
                        absl::Seconds(60)));
  }
  // Whoever promotes takes seconds to decide: by then the replicas' attempts
  // to reconnect have backed off to their longest wait.
  absl::SleepFor(absl::Seconds(4) - (absl::Now() - killed_at));
  const Outcome promoted = standby.Script("promote");
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  const absl::Time promoted_at = absl::Now();
  const size_t at_promotion = load.acknowledged();
  ASSERT_TRUE(load.WaitForAcknowledged(at_promotion + 100));
  load.Stop();
  // Measured, not asserted (the issue's target is 5 s): the machine's two
  // cores are shared with other work.
  const std::optional<absl::Time> served_again = load.FirstAcknowledgedAfter(promoted_at);
  ASSERT_TRUE(served_again.has_value());
  std::cout << "failover: the promotion completed " << absl::FormatDuration(promoted_at - killed_at)
            << " after the kill; the first command was acknowledged "
            << absl::FormatDuration(*served_again - promoted_at) << " after the promotion"
            << std::endl;

  for (const std::unique_ptr<RunningService>& replica : replicas) {
    EXPECT_TRUE(
        WaitFor([&] { return HealthOf(replica->channel(), "") == kServing; }, absl::Seconds(60)));
  }
  const std::map<std::string, uint64_t> acknowledged = load.acknowledged_ids();
  for (size_t r = 0; r < stubs.size(); ++r) {
    bank::v1::CommandReply reply;
    EXPECT_TRUE(CallDeposit(*stubs[r], "after-failover", 1, &reply, absl::StrCat("after-", r)).ok())
        << "replica " << r;
    ExpectEveryAcknowledgedCommandOnce(AllEvents(*stubs[r], LastPosition(acknowledged)),
                                       acknowledged);
  }
}

}  // namespace
}  // namespace bank::testing
