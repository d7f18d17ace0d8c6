// One set of tests for every EventStore: what command handling and Subscribe
// rely on, whichever store is behind them. A new store adds a StoreFactory to
// the instantiation at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "command-service/store/event_store.h"
#include "command-service/store/memory_event_store.h"
#include "command-service/store/postgres/postgres_event_store.h"
#include "command-service/store/postgres/schema.h"
#include "tests/command/log_test_util.h"
#include "tests/support/test_postgres.h"

namespace bank {
namespace {

using ::bank::store::MemoryEventStore;
using ::bank::testing::DepositEvent;

enum class Injected { kTransient, kSticky };

// A fresh, empty store, and the failure seam it has.
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual EventStore& store() = 0;
  // The store as a SharedEventStore, or null when it is not one.
  virtual SharedEventStore* shared() { return nullptr; }
  // Makes the next commit fail; returns the code its appends then get. Only
  // called for the failures the store's factory says it can inject.
  virtual absl::StatusCode FailNextCommit(Injected failure) = 0;
};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<StoreUnderTest>()> open;
  bool injects_sticky_failures = false;
  bool injects_transient_failures = false;
  bool refuses_conflicts = false;  // stale versions, stored command ids
  bool needs_postgres = false;     // the test server (tests/support/test_postgres.h)
};

void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

class MemoryUnderTest final : public StoreUnderTest {
 public:
  EventStore& store() override { return store_; }
  SharedEventStore* shared() override { return &store_; }
  absl::StatusCode FailNextCommit(Injected failure) override {
    if (failure == Injected::kSticky) {
      store_.FailNextCommit(absl::InternalError("injected: sync failed"),
                            MemoryEventStore::Failure::kSticky);
      return absl::StatusCode::kInternal;
    }
    store_.FailNextCommit(absl::UnavailableError("injected: connection lost"),
                          MemoryEventStore::Failure::kTransient);
    return absl::StatusCode::kUnavailable;
  }

 private:
  MemoryEventStore store_;
};

// The file log in a temp dir, with event_log_test.cc's seam: an fdatasync
// that fails with EIO once armed. Every failure of the file log is sticky.
class FileUnderTest final : public StoreUnderTest {
 public:
  static std::unique_ptr<StoreUnderTest> Open() {
    static std::atomic<int> count{0};
    auto under_test = std::unique_ptr<FileUnderTest>(
        new FileUnderTest(testing::FreshDir("conformance" + std::to_string(count.fetch_add(1)))));
    log::FileOps ops = log::FileOps::Posix();
    ops.fdatasync = [fail = under_test->fail_](int fd) {
      if (*fail) {
        errno = EIO;
        return -1;
      }
      return ::fdatasync(fd);
    };
    auto log = testing::OpenLog(under_test->dir_, nullptr, testing::kTestSegmentBytes, ops);
    if (!log.ok()) {
      ADD_FAILURE() << log.status();
      return nullptr;
    }
    under_test->log_ = std::move(*log);
    return under_test;
  }
  ~FileUnderTest() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  EventStore& store() override { return *log_; }
  absl::StatusCode FailNextCommit(Injected) override {
    *fail_ = true;
    return absl::StatusCode::kUnavailable;  // EIO
  }

 private:
  explicit FileUnderTest(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
  const std::shared_ptr<std::atomic<bool>> fail_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<log::EventLog> log_;
};

// The PostgreSQL store in a schema of its own on the test server. A
// transient failure is real: the next commit's connection is ended while
// its transaction waits inside the server, as a network failure or a
// restart in the middle of a commit would end it.
class PostgresUnderTest final : public StoreUnderTest {
 public:
  static std::unique_ptr<StoreUnderTest> Open() {
    const std::optional<std::string> uri = testing::TestPostgresUri();
    if (!uri.has_value()) return nullptr;
    const std::string schema = testing::FreshSchemaName("conformance");
    auto store = store::postgres::PostgresEventStore::Open(
        {.uri = *uri, .schema = schema, .application_name = schema});
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return nullptr;
    }
    return std::unique_ptr<StoreUnderTest>(new PostgresUnderTest(schema, std::move(*store)));
  }
  ~PostgresUnderTest() override {
    if (saboteur_.joinable()) saboteur_.join();
    store_.reset();
    EXPECT_TRUE(testing::DropSchema(schema_).ok());
  }
  EventStore& store() override { return *store_; }
  SharedEventStore* shared() override { return store_.get(); }
  absl::StatusCode FailNextCommit(Injected) override {
    // Holding the head row makes the next commit wait for it, inside its
    // transaction; then its connection is ended there.
    auto admin = testing::AdminConnection();
    EXPECT_TRUE(admin.ok()) << admin.status();
    EXPECT_TRUE((*admin)->ExecuteSql("BEGIN").ok());
    EXPECT_TRUE((*admin)
                    ->ExecuteSql(absl::StrCat("SELECT value FROM ",
                                              store::postgres::Table(schema_, "store_meta"),
                                              " WHERE key = 'head' FOR UPDATE"))
                    .ok());
    saboteur_ = std::thread([this, admin = std::move(*admin)] {
      const std::string commit = schema_ + ":commit";
      EXPECT_TRUE(testing::WaitUntilWaitingForALock(commit).ok());
      EXPECT_TRUE(testing::TerminateConnections(commit).ok());
      EXPECT_TRUE(admin->ExecuteSql("ROLLBACK").ok());
    });
    return absl::StatusCode::kUnavailable;
  }

 private:
  PostgresUnderTest(std::string schema, std::unique_ptr<store::postgres::PostgresEventStore> store)
      : schema_(std::move(schema)), store_(std::move(store)) {}

  const std::string schema_;
  std::unique_ptr<store::postgres::PostgresEventStore> store_;
  std::thread saboteur_;
};

// What one append's callback saw.
struct Answer {
  int calls = 0;
  absl::StatusOr<uint64_t> position = absl::UnknownError("not answered");
  std::thread::id thread;
  bool readable = false;  // ReadEventAt found the event when it was answered
};

void AppendTo(EventStore& store, bank::v1::Event event, Answer* answer) {
  const int64_t amount = event.deposited().amount();
  store.Append({std::move(event)}, [&store, answer, amount](absl::StatusOr<uint64_t> position) {
    ++answer->calls;
    answer->thread = std::this_thread::get_id();
    if (position.ok()) {
      absl::StatusOr<bank::v1::Event> read = ReadEventAt(store, *position);
      answer->readable = read.ok() && read->deposited().amount() == amount;
    }
    answer->position = std::move(position);
  });
}

// Commits `count` deposits, each on an account of its own and of the amount
// of the position it will take.
void CommitDeposits(EventStore& store, int count) {
  std::vector<Answer> answers(count);
  for (int i = 0; i < count; ++i) {
    const uint64_t position = store.durable_head() + i + 1;
    AppendTo(store, DepositEvent("d" + std::to_string(position), 1, position), &answers[i]);
  }
  store.Commit();
  for (const Answer& answer : answers)
    ASSERT_TRUE(answer.position.ok()) << answer.position.status();
}

std::vector<uint64_t> Positions(const std::vector<bank::v1::Event>& events) {
  std::vector<uint64_t> positions;
  for (const bank::v1::Event& event : events) positions.push_back(event.position());
  return positions;
}

std::vector<bank::v1::Event> ReadAll(const EventStore& store) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(store.ReadAfter(0, 1 << 20, &events).ok());
  return events;
}

class EventStoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    if (GetParam().needs_postgres && !testing::TestPostgresUri().has_value()) {
      GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set: scripts/test.sh starts a server";
    }
    under_test_ = GetParam().open();
    ASSERT_NE(under_test_, nullptr);
  }
  EventStore& store() { return under_test_->store(); }

  std::unique_ptr<StoreUnderTest> under_test_;
};

TEST_P(EventStoreConformanceTest, PositionsAreDenseFromTheHeadInAppendOrderAcrossGroups) {
  std::vector<Answer> answers(5);
  AppendTo(store(), DepositEvent("a", 1, 10), &answers[0]);
  AppendTo(store(), DepositEvent("b", 1, 20), &answers[1]);
  AppendTo(store(), DepositEvent("a", 2, 30), &answers[2]);
  store().Commit();
  AppendTo(store(), DepositEvent("c", 1, 40), &answers[3]);
  AppendTo(store(), DepositEvent("a", 3, 50), &answers[4]);
  store().Commit();

  const std::vector<bank::v1::Event> events = ReadAll(store());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  const std::vector<std::string> accounts = {"a", "b", "a", "c", "a"};
  const std::vector<uint64_t> versions = {1, 1, 2, 1, 3};
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE(answers[i].position.ok()) << answers[i].position.status();
    EXPECT_EQ(*answers[i].position, i + 1);
    EXPECT_EQ(events[i].account_id(), accounts[i]);
    EXPECT_EQ(events[i].version(), versions[i]);
    EXPECT_EQ(events[i].deposited().amount(), static_cast<int64_t>(10 * (i + 1)));
    EXPECT_TRUE(events[i].has_recorded_at());
  }
  EXPECT_EQ(store().durable_head(), 5u);
}

TEST_P(EventStoreConformanceTest, AppendsAreNeitherReadableNorAnsweredBeforeACommit) {
  std::vector<Answer> answers(2);
  AppendTo(store(), DepositEvent("a", 1, 1), &answers[0]);
  AppendTo(store(), DepositEvent("b", 1, 1), &answers[1]);
  EXPECT_EQ(store().durable_head(), 0u);
  EXPECT_TRUE(ReadAll(store()).empty());
  EXPECT_EQ(answers[0].calls, 0);
  EXPECT_EQ(answers[1].calls, 0);

  store().Commit();
  EXPECT_EQ(answers[0].calls, 1);
  EXPECT_EQ(answers[1].calls, 1);
  EXPECT_EQ(store().durable_head(), 2u);
}

TEST_P(EventStoreConformanceTest,
       EachCallbackRunsOnceOnTheCommittingThreadAfterItsEventIsReadable) {
  constexpr int kAppends = 5;
  std::vector<Answer> answers(kAppends);
  for (int i = 0; i < kAppends; ++i)
    AppendTo(store(), DepositEvent("a", i + 1, i + 1), &answers[i]);
  std::thread committer([this] { store().Commit(); });
  const std::thread::id committer_id = committer.get_id();
  committer.join();
  store().Commit();  // nothing left: answers nothing twice

  for (int i = 0; i < kAppends; ++i) {
    EXPECT_EQ(answers[i].calls, 1) << i;
    ASSERT_TRUE(answers[i].position.ok()) << answers[i].position.status();
    EXPECT_EQ(*answers[i].position, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(answers[i].thread, committer_id) << i;
    EXPECT_TRUE(answers[i].readable) << i;
  }
}

TEST_P(EventStoreConformanceTest, WhatACallbackAppendsIsCommittedBeforeItsCommitReturns) {
  std::vector<Answer> answers(2);
  store().Append({DepositEvent("a", 1, 1)}, [&](absl::StatusOr<uint64_t> position) {
    answers[0].position = position;
    // A command that waited for this one appends from here, committing
    // nothing itself.
    AppendTo(store(), DepositEvent("a", 2, 2), &answers[1]);
  });
  store().Commit();

  ASSERT_TRUE(answers[0].position.ok()) << answers[0].position.status();
  EXPECT_EQ(answers[1].calls, 1);
  ASSERT_TRUE(answers[1].position.ok()) << answers[1].position.status();
  EXPECT_EQ(*answers[1].position, 2u);
  EXPECT_EQ(store().durable_head(), 2u);
}

TEST_P(EventStoreConformanceTest, ReadAfterReturnsAtMostMaxEventsAfterThePositionUpToTheHead) {
  EXPECT_TRUE(ReadAll(store()).empty());
  EXPECT_EQ(store().durable_head(), 0u);
  CommitDeposits(store(), 10);
  ASSERT_EQ(store().durable_head(), 10u);

  auto read = [this](uint64_t after, size_t max_events) {
    std::vector<bank::v1::Event> events;
    EXPECT_TRUE(store().ReadAfter(after, max_events, &events).ok());
    return Positions(events);
  };
  EXPECT_EQ(read(3, 4), (std::vector<uint64_t>{4, 5, 6, 7}));
  EXPECT_EQ(read(8, 100), (std::vector<uint64_t>{9, 10}));
  EXPECT_EQ(read(0, 1), (std::vector<uint64_t>{1}));
  EXPECT_TRUE(read(10, 5).empty());
  EXPECT_TRUE(read(25, 5).empty());
  EXPECT_TRUE(read(0, 0).empty());

  // It appends to what `out` holds.
  std::vector<bank::v1::Event> out(1);
  ASSERT_TRUE(store().ReadAfter(9, 5, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].position(), 0u);
  EXPECT_EQ(out[1].position(), 10u);
}

TEST_P(EventStoreConformanceTest, ReadEventAtFindsEveryDurableEventAndNothingBeyondTheHead) {
  EXPECT_EQ(ReadEventAt(store(), 1).status().code(), absl::StatusCode::kNotFound);
  CommitDeposits(store(), 3);
  for (uint64_t position = 1; position <= 3; ++position) {
    absl::StatusOr<bank::v1::Event> event = ReadEventAt(store(), position);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_EQ(event->position(), position);
    EXPECT_EQ(event->deposited().amount(), static_cast<int64_t>(position));
  }
  EXPECT_EQ(ReadEventAt(store(), 4).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(EventStoreConformanceTest, HeadListenersHearEachAdvanceOnTheCommittingThreadWithItReadable) {
  struct Heard {
    uint64_t head;
    std::thread::id thread;
    bool readable;
  };
  std::vector<Heard> first;
  int second_calls = 0;
  store().AddHeadListener([this, &first](uint64_t head) {
    first.push_back({head, std::this_thread::get_id(),
                     ReadEventAt(store(), head).ok() && store().durable_head() >= head});
  });
  store().AddHeadListener([&second_calls](uint64_t) { ++second_calls; });

  CommitDeposits(store(), 2);
  store().Commit();  // nothing queued: no advance
  std::thread other([this] { CommitDeposits(store(), 1); });
  const std::thread::id other_id = other.get_id();
  other.join();
  CommitDeposits(store(), 3);

  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].head, 2u);
  EXPECT_EQ(first[1].head, 3u);
  EXPECT_EQ(first[2].head, 6u);
  EXPECT_EQ(first[0].thread, std::this_thread::get_id());
  EXPECT_EQ(first[1].thread, other_id);
  for (const Heard& heard : first) EXPECT_TRUE(heard.readable) << heard.head;
  EXPECT_EQ(second_calls, 3);
}

TEST_P(EventStoreConformanceTest, CommitListenersHearEachCommitThatMadeEventsDurableAndHowMany) {
  struct Heard {
    size_t events;
    absl::Duration duration;
    std::thread::id thread;
  };
  std::vector<Heard> heard;
  store().AddCommitListener([&heard](const EventStore::CommitStats& commit) {
    heard.push_back({commit.events, commit.duration, std::this_thread::get_id()});
  });

  CommitDeposits(store(), 3);  // one commit of three
  store().Commit();            // nothing queued: nothing to hear
  std::thread other([this] { CommitDeposits(store(), 1); });
  const std::thread::id other_id = other.get_id();
  other.join();

  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].events, 3u);
  EXPECT_EQ(heard[1].events, 1u);
  EXPECT_EQ(heard[0].thread, std::this_thread::get_id());
  EXPECT_EQ(heard[1].thread, other_id);
  for (const Heard& commit : heard) EXPECT_GE(commit.duration, absl::ZeroDuration());
}

TEST_P(EventStoreConformanceTest, ConcurrentAppendersGetEveryEventExactlyOnceAtDensePositions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  constexpr uint64_t kTotal = kThreads * kPerThread;
  absl::Mutex mu;
  std::vector<uint64_t> heads;  // guarded by mu
  store().AddHeadListener([&](uint64_t head) {
    absl::MutexLock lock(&mu);
    heads.push_back(head);
  });
  // positions[t][v - 1]: what thread t's append of version v was answered.
  std::vector<std::vector<absl::StatusOr<uint64_t>>> positions(
      kThreads, std::vector<absl::StatusOr<uint64_t>>(kPerThread, absl::UnknownError("none")));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &positions] {
      for (int v = 1; v <= kPerThread; ++v) {
        store().Append({DepositEvent("t" + std::to_string(t), v, v)},
                       [&positions, t, v](absl::StatusOr<uint64_t> position) {
                         positions[t][v - 1] = std::move(position);
                       });
        store().Commit();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::set<uint64_t> answered;
  for (const auto& thread_positions : positions) {
    for (const absl::StatusOr<uint64_t>& position : thread_positions) {
      ASSERT_TRUE(position.ok()) << position.status();
      EXPECT_TRUE(answered.insert(*position).second) << "position " << *position << " twice";
    }
  }
  EXPECT_EQ(answered.size(), kTotal);
  EXPECT_EQ(*answered.begin(), 1u);
  EXPECT_EQ(*answered.rbegin(), kTotal);
  EXPECT_EQ(store().durable_head(), kTotal);

  const std::vector<bank::v1::Event> events = ReadAll(store());
  ASSERT_EQ(events.size(), kTotal);
  std::vector<uint64_t> last_version(kThreads, 0);
  for (size_t i = 0; i < events.size(); ++i) {
    const bank::v1::Event& event = events[i];
    EXPECT_EQ(event.position(), i + 1);
    const int t = std::stoi(event.account_id().substr(1));
    // Each thread's appends in its own order, at the position it was told.
    EXPECT_EQ(event.version(), ++last_version[t]) << event.account_id();
    EXPECT_EQ(*positions[t][event.version() - 1], event.position());
  }

  absl::MutexLock lock(&mu);
  ASSERT_FALSE(heads.empty());
  EXPECT_TRUE(std::is_sorted(heads.begin(), heads.end()));
  EXPECT_EQ(heads.back(), kTotal);
}

TEST_P(EventStoreConformanceTest, AStickyFailureFailsItsGroupAndEveryLaterAppend) {
  if (!GetParam().injects_sticky_failures) GTEST_SKIP() << "no seam to inject a failure";
  int listener_calls = 0;
  store().AddHeadListener([&listener_calls](uint64_t) { ++listener_calls; });
  int commit_listener_calls = 0;
  store().AddCommitListener(
      [&commit_listener_calls](const EventStore::CommitStats&) { ++commit_listener_calls; });
  CommitDeposits(store(), 1);
  const absl::StatusCode code = under_test_->FailNextCommit(Injected::kSticky);

  std::vector<Answer> failed(3);
  AppendTo(store(), DepositEvent("a", 1, 1), &failed[0]);
  AppendTo(store(), DepositEvent("b", 1, 1), &failed[1]);
  AppendTo(store(), DepositEvent("c", 1, 1), &failed[2]);
  store().Commit();
  const absl::Status health = store().health();
  EXPECT_EQ(health.code(), code) << health;
  for (const Answer& answer : failed) {
    EXPECT_EQ(answer.calls, 1);
    EXPECT_EQ(answer.position.status(), health);
  }
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1}));

  // Sticky: nothing later is taken, though nothing fails any more. The
  // refusal is Commit's to answer, never Append's: an appender may hold its
  // own lock around Append, which the callback may take.
  Answer later;
  AppendTo(store(), DepositEvent("d", 1, 1), &later);
  EXPECT_EQ(later.calls, 0);
  store().Commit();
  EXPECT_EQ(later.calls, 1);
  EXPECT_EQ(later.position.status(), health);
  EXPECT_EQ(store().health(), health);
  EXPECT_EQ(store().durable_head(), 1u);
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1}));
  EXPECT_EQ(listener_calls, 1);
  EXPECT_EQ(commit_listener_calls, 1);  // a failed commit made nothing durable
}

TEST_P(EventStoreConformanceTest, ATransientFailureFailsOnlyItsGroupAndALaterCommitRecovers) {
  if (!GetParam().injects_transient_failures) {
    GTEST_SKIP() << "every failure of this store is sticky";
  }
  CommitDeposits(store(), 1);
  const absl::StatusCode code = under_test_->FailNextCommit(Injected::kTransient);

  std::vector<Answer> failed(2);
  AppendTo(store(), DepositEvent("a", 1, 1), &failed[0]);
  AppendTo(store(), DepositEvent("b", 1, 1), &failed[1]);
  store().Commit();
  EXPECT_EQ(store().health().code(), code) << store().health();
  for (const Answer& answer : failed) {
    EXPECT_EQ(answer.calls, 1);
    EXPECT_EQ(answer.position.status(), store().health());
  }
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1}));

  // The same decision again: it takes the next position, no gap.
  Answer retried;
  AppendTo(store(), DepositEvent("a", 1, 1), &retried);
  store().Commit();
  ASSERT_TRUE(retried.position.ok()) << retried.position.status();
  EXPECT_EQ(*retried.position, 2u);
  EXPECT_TRUE(store().health().ok()) << store().health();
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1, 2}));
}

TEST_P(EventStoreConformanceTest, AStaleVersionIsAbortedAndTheRestOfItsGroupCommits) {
  if (!GetParam().refuses_conflicts) GTEST_SKIP() << "a single-writer store: the caller checks";
  std::vector<Answer> answers(5);
  AppendTo(store(), DepositEvent("a", 1, 1), &answers[0]);
  AppendTo(store(), DepositEvent("a", 1, 2), &answers[1]);  // decided on version 0 too
  AppendTo(store(), DepositEvent("b", 1, 3), &answers[2]);
  AppendTo(store(), DepositEvent("a", 3, 4), &answers[3]);  // skips version 2
  AppendTo(store(), DepositEvent("a", 2, 5), &answers[4]);
  store().Commit();

  EXPECT_EQ(*answers[0].position, 1u);
  EXPECT_EQ(answers[1].position.status().code(), absl::StatusCode::kAborted)
      << answers[1].position.status();
  EXPECT_EQ(*answers[2].position, 2u);
  EXPECT_EQ(answers[3].position.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(*answers[4].position, 3u);
  EXPECT_TRUE(store().health().ok());
  const std::vector<bank::v1::Event> events = ReadAll(store());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(events[2].deposited().amount(), 5);
}

TEST_P(EventStoreConformanceTest, AStoredCommandIdIsRefusedWithAlreadyExists) {
  if (!GetParam().refuses_conflicts) GTEST_SKIP() << "a single-writer store: the caller checks";
  std::vector<Answer> answers(6);
  AppendTo(store(), DepositEvent("a", 1, 1, "c-1"), &answers[0]);
  store().Commit();
  AppendTo(store(), DepositEvent("b", 1, 2, "c-1"), &answers[1]);  // stored earlier
  AppendTo(store(), DepositEvent("b", 1, 3, "c-2"), &answers[2]);
  AppendTo(store(), DepositEvent("c", 1, 4, "c-2"), &answers[3]);  // earlier in this group
  AppendTo(store(), DepositEvent("d", 1, 5), &answers[4]);         // no id: never a conflict
  AppendTo(store(), DepositEvent("e", 1, 6), &answers[5]);
  store().Commit();

  EXPECT_EQ(*answers[0].position, 1u);
  EXPECT_EQ(answers[1].position.status().code(), absl::StatusCode::kAlreadyExists)
      << answers[1].position.status();
  EXPECT_EQ(*answers[2].position, 2u);
  EXPECT_EQ(answers[3].position.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*answers[4].position, 3u);
  EXPECT_EQ(*answers[5].position, 4u);
  EXPECT_EQ(store().durable_head(), 4u);
}

// One command's events: a withdrawal from `from` and a deposit into `to`,
// at the given versions.
std::vector<bank::v1::Event> PairGroup(const std::string& from, uint64_t from_version,
                                       const std::string& to, uint64_t to_version,
                                       const std::string& command_id = "") {
  bank::v1::Event out;
  out.set_account_id(from);
  out.set_version(from_version);
  out.set_command_id(command_id);
  out.mutable_withdrawn()->set_amount(1);
  std::vector<bank::v1::Event> group = {out, DepositEvent(to, to_version, 1, command_id)};
  return group;
}

absl::StatusOr<uint64_t> AppendGroupAndCommit(EventStore& store,
                                              std::vector<bank::v1::Event> group) {
  absl::StatusOr<uint64_t> answer = absl::UnknownError("not answered");
  store.Append(std::move(group), [&answer](absl::StatusOr<uint64_t> first) { answer = first; });
  store.Commit();
  return answer;
}

TEST_P(EventStoreConformanceTest, AGroupIsStoredWholeAtConsecutivePositions) {
  CommitDeposits(store(), 1);  // "d1"
  absl::StatusOr<uint64_t> first = AppendGroupAndCommit(store(), PairGroup("d1", 2, "b", 1, "t-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2u);
  const std::vector<bank::v1::Event> events = ReadAll(store());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(events[1].account_id(), "d1");
  EXPECT_EQ(events[2].account_id(), "b");
  EXPECT_EQ(events[1].command_id(), "t-1");
  EXPECT_EQ(events[2].command_id(), "t-1");
  EXPECT_EQ(store().durable_head(), 3u);
}

TEST_P(EventStoreConformanceTest, ReadAfterNeverSplitsAGroup) {
  ASSERT_TRUE(AppendGroupAndCommit(store(), PairGroup("a", 1, "b", 1)).ok());
  ASSERT_TRUE(AppendGroupAndCommit(store(), PairGroup("c", 1, "d", 1)).ok());
  std::vector<bank::v1::Event> events;
  ASSERT_TRUE(store().ReadAfter(0, 1, &events).ok());
  EXPECT_EQ(Positions(events), (std::vector<uint64_t>{1, 2}));
  events.clear();
  ASSERT_TRUE(store().ReadAfter(0, 3, &events).ok());
  EXPECT_EQ(Positions(events), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_P(EventStoreConformanceTest, AGroupWithOneConflictIsRefusedWholeAndTheOthersCommit) {
  if (!GetParam().refuses_conflicts) {
    GTEST_SKIP() << "a single-writer store: the caller checks";
  }
  CommitDeposits(store(), 1);  // "d1" at version 1
  absl::StatusOr<uint64_t> stale = absl::UnknownError("none");
  absl::StatusOr<uint64_t> reused = absl::UnknownError("none");
  absl::StatusOr<uint64_t> fine = absl::UnknownError("none");
  // Its second event is stale: "d1" is at version 1.
  store().Append(PairGroup("fresh", 1, "d1", 1), [&](absl::StatusOr<uint64_t> p) { stale = p; });
  store().Append(PairGroup("x", 1, "y", 1, "t-1"), [&](absl::StatusOr<uint64_t> p) { fine = p; });
  store().Append(PairGroup("z", 1, "w", 1, "t-1"), [&](absl::StatusOr<uint64_t> p) { reused = p; });
  store().Commit();

  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted) << stale.status();
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists) << reused.status();
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(*fine, 2u);
  const std::vector<bank::v1::Event> events = ReadAll(store());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(events[1].account_id(), "x");
  // Nothing of the refused groups: "fresh" and "z" have no events.
  std::vector<bank::v1::Event> none;
  ASSERT_TRUE(under_test_->shared()->ReadAccount("fresh", 0, &none).ok());
  ASSERT_TRUE(under_test_->shared()->ReadAccount("z", 0, &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_P(EventStoreConformanceTest, ReadAccountReturnsTheAccountsEventsAfterAVersion) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "not a shared store";
  std::vector<Answer> answers(4);
  AppendTo(store(), DepositEvent("a", 1, 10), &answers[0]);
  AppendTo(store(), DepositEvent("b", 1, 20), &answers[1]);
  AppendTo(store(), DepositEvent("a", 2, 30), &answers[2]);
  AppendTo(store(), DepositEvent("a", 3, 40), &answers[3]);
  store().Commit();

  std::vector<bank::v1::Event> events;
  ASSERT_TRUE(shared->ReadAccount("a", 0, &events).ok());
  EXPECT_EQ(Positions(events), (std::vector<uint64_t>{1, 3, 4}));
  events.clear();
  ASSERT_TRUE(shared->ReadAccount("a", 2, &events).ok());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{4}));
  EXPECT_EQ(events[0].deposited().amount(), 40);
  events.clear();
  ASSERT_TRUE(shared->ReadAccount("a", 3, &events).ok());
  ASSERT_TRUE(shared->ReadAccount("nobody", 0, &events).ok());
  EXPECT_TRUE(events.empty());
}

TEST_P(EventStoreConformanceTest, ReadCommandReturnsTheGroupCarryingTheId) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "not a shared store";
  Answer single;
  AppendTo(store(), DepositEvent("a", 1, 10, "c-1"), &single);
  store().Commit();
  ASSERT_TRUE(AppendGroupAndCommit(store(), PairGroup("a", 2, "b", 1, "t-1")).ok());

  std::vector<bank::v1::Event> events;
  ASSERT_TRUE(shared->ReadCommand("c-1", &events).ok());
  EXPECT_EQ(Positions(events), (std::vector<uint64_t>{1}));
  events.clear();
  ASSERT_TRUE(shared->ReadCommand("t-1", &events).ok());
  ASSERT_EQ(Positions(events), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(events[0].account_id(), "a");
  events.clear();
  ASSERT_TRUE(shared->ReadCommand("unknown", &events).ok());
  EXPECT_TRUE(events.empty());
}

// A redecision that deposits `amount` on top of what the store holds, and
// records the versions it was shown (the positions of the commit's own
// events may not be assigned yet).
SharedEventStore::Redecide DepositOnTopOf(const std::string& account, int64_t amount,
                                          std::vector<uint64_t>* shown_versions) {
  return [account, amount, shown_versions](const std::vector<bank::v1::Event>& stored)
             -> absl::StatusOr<std::vector<bank::v1::Event>> {
    for (const bank::v1::Event& event : stored) shown_versions->push_back(event.version());
    const uint64_t version = stored.empty() ? 0 : stored.back().version();
    return std::vector<bank::v1::Event>{DepositEvent(account, version + 1, amount)};
  };
}

TEST_P(EventStoreConformanceTest, AStaleGroupIsDecidedAgainInsideTheCommitOnWhatIsStored) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "a single-writer store: nothing to race";
  CommitDeposits(store(), 1);  // d1, unrelated
  std::vector<Answer> answers(3);
  std::vector<uint64_t> shown_first, shown_second;
  AppendTo(store(), DepositEvent("a", 1, 10), &answers[0]);
  // Both decided on version 0 as well: stale, so decided again, the second
  // on top of the first's new decision.
  shared->AppendOrRedecide(
      {DepositEvent("a", 1, 20)}, DepositOnTopOf("a", 20, &shown_first),
      [&](absl::StatusOr<uint64_t> position) { answers[1].position = position; });
  shared->AppendOrRedecide(
      {DepositEvent("a", 1, 30)}, DepositOnTopOf("a", 30, &shown_second),
      [&](absl::StatusOr<uint64_t> position) { answers[2].position = position; });
  store().Commit();
  for (const Answer& answer : answers)
    ASSERT_TRUE(answer.position.ok()) << answer.position.status();
  EXPECT_EQ(*answers[0].position, 2u);
  EXPECT_EQ(*answers[1].position, 3u);
  EXPECT_EQ(*answers[2].position, 4u);
  EXPECT_EQ(shown_first, (std::vector<uint64_t>{1}));
  EXPECT_EQ(shown_second, (std::vector<uint64_t>{1, 2}));
  std::vector<bank::v1::Event> account;
  ASSERT_TRUE(shared->ReadAccount("a", 0, &account).ok());
  ASSERT_EQ(account.size(), 3u);
  for (size_t i = 0; i < account.size(); ++i) EXPECT_EQ(account[i].version(), i + 1);
  EXPECT_EQ(account[2].deposited().amount(), 30);
}

TEST_P(EventStoreConformanceTest, ARedecisionIsShownOnlyTheEventsItsDecisionDidNotSee) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "a single-writer store: nothing to race";
  std::vector<Answer> stored(4);
  for (int version = 1; version <= 4; ++version) {
    AppendTo(store(), DepositEvent("a", version, version), &stored[version - 1]);
  }
  CommitDeposits(store(), 1);  // another account's, at position 5
  // Decided on version 2: versions 3 and 4 are what it missed.
  std::vector<uint64_t> shown;
  absl::StatusOr<uint64_t> answer = absl::UnknownError("not answered");
  shared->AppendOrRedecide({DepositEvent("a", 3, 7)}, DepositOnTopOf("a", 7, &shown),
                           [&](absl::StatusOr<uint64_t> position) { answer = position; });
  store().Commit();

  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, 6u);
  EXPECT_EQ(shown, (std::vector<uint64_t>{3, 4}));  // versions
}

TEST_P(EventStoreConformanceTest, ARefusalFromTheRedecisionIsTheAnswerAndNothingIsStored) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "a single-writer store: nothing to race";
  CommitDeposits(store(), 1);  // d1 at version 1
  absl::StatusOr<uint64_t> answer = absl::UnknownError("not answered");
  bool asked = false;
  shared->AppendOrRedecide(
      {DepositEvent("d1", 1, 5)},
      [&asked](
          const std::vector<bank::v1::Event>&) -> absl::StatusOr<std::vector<bank::v1::Event>> {
        asked = true;
        return absl::FailedPreconditionError("insufficient funds now");
      },
      [&](absl::StatusOr<uint64_t> position) { answer = position; });
  // A group that is not stale is stored as decided: no redecision.
  absl::StatusOr<uint64_t> fresh = absl::UnknownError("not answered");
  shared->AppendOrRedecide(
      {DepositEvent("b", 1, 5)},
      [](const std::vector<bank::v1::Event>&) -> absl::StatusOr<std::vector<bank::v1::Event>> {
        ADD_FAILURE() << "redecided a group that was not stale";
        return absl::InternalError("unexpected");
      },
      [&](absl::StatusOr<uint64_t> position) { fresh = position; });
  store().Commit();
  EXPECT_TRUE(asked);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(*fresh, 2u);
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1, 2}));
}

TEST_P(EventStoreConformanceTest, ARefusalIsConfirmedWhereItsAccountAndIdAreAsJudged) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "a single-writer store: nothing to race";
  CommitDeposits(store(), 1);  // d1 at version 1, id-less
  std::vector<Answer> stored(1);
  store().Append({DepositEvent("a", 1, 5, "c-1")},
                 [&](absl::StatusOr<uint64_t> position) { stored[0].position = position; });
  store().Commit();
  ASSERT_TRUE(stored[0].position.ok()) << stored[0].position.status();

  auto never =
      [](const std::vector<bank::v1::Event>&) -> absl::StatusOr<std::vector<bank::v1::Event>> {
    ADD_FAILURE() << "redecided a refusal its store confirms";
    return absl::InternalError("unexpected");
  };
  std::vector<absl::StatusOr<uint64_t>> answers(3, absl::UnknownError("not answered"));
  shared->ConfirmOrRedecide({"d1", 1, "new-id"}, never,
                            [&](absl::StatusOr<uint64_t> position) { answers[0] = position; });
  Answer beside;  // a group the same commit stores
  AppendTo(store(), DepositEvent("b", 1, 1), &beside);
  shared->ConfirmOrRedecide({"never-seen", 0, ""}, never,
                            [&](absl::StatusOr<uint64_t> position) { answers[1] = position; });
  shared->ConfirmOrRedecide({"d1", 1, "c-1"}, never,
                            [&](absl::StatusOr<uint64_t> position) { answers[2] = position; });
  EXPECT_EQ(answers[0].status().code(), absl::StatusCode::kUnknown);  // answered by Commit
  store().Commit();

  ASSERT_TRUE(answers[0].ok()) << answers[0].status();
  EXPECT_EQ(*answers[0], 0u);
  ASSERT_TRUE(answers[1].ok()) << answers[1].status();
  EXPECT_EQ(*answers[1], 0u);
  EXPECT_EQ(answers[2].status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(beside.position.ok()) << beside.position.status();
  EXPECT_EQ(*beside.position, 3u);
  EXPECT_EQ(Positions(ReadAll(store())), (std::vector<uint64_t>{1, 2, 3}));
}

TEST_P(EventStoreConformanceTest, ARefusalWhoseAccountMovedOnIsDecidedAgainOnWhatItMissed) {
  SharedEventStore* shared = under_test_->shared();
  if (shared == nullptr) GTEST_SKIP() << "a single-writer store: nothing to race";
  std::vector<Answer> stored(3);
  for (int version = 1; version <= 3; ++version) {
    AppendTo(store(), DepositEvent("a", version, version), &stored[version - 1]);
  }
  store().Commit();

  // Judged on version 1: versions 2 and 3 are what it missed; the deposit it
  // decides instead is stored.
  std::vector<uint64_t> shown;
  absl::StatusOr<uint64_t> answer = absl::UnknownError("not answered");
  shared->ConfirmOrRedecide({"a", 1, "c-1"}, DepositOnTopOf("a", 7, &shown),
                            [&](absl::StatusOr<uint64_t> position) { answer = position; });
  store().Commit();

  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, 4u);
  EXPECT_EQ(shown, (std::vector<uint64_t>{2, 3}));  // versions
  std::vector<bank::v1::Event> account;
  ASSERT_TRUE(shared->ReadAccount("a", 3, &account).ok());
  ASSERT_EQ(account.size(), 1u);
  EXPECT_EQ(account[0].deposited().amount(), 7);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, EventStoreConformanceTest,
    ::testing::Values(
        StoreFactory{.name = "Memory",
                     .open = [] { return std::make_unique<MemoryUnderTest>(); },
                     .injects_sticky_failures = true,
                     .injects_transient_failures = true,
                     .refuses_conflicts = true},
        StoreFactory{.name = "File", .open = &FileUnderTest::Open, .injects_sticky_failures = true},
        StoreFactory{.name = "Postgres",
                     .open = &PostgresUnderTest::Open,
                     .injects_transient_failures = true,
                     .refuses_conflicts = true,
                     .needs_postgres = true}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace bank
