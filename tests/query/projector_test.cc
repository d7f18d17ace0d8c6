#include "query-service/projector.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "query-service/position_waiters.h"
#include "query-service/sqlite/sqlite_read_model.h"
#include "tests/query/test_util.h"

namespace bank::query {
namespace {

using ::bank::query::testing::Deposited;
using ::bank::query::testing::TempDir;

// Deposits of 1 cent to "alice" at positions first..last (versions match).
std::vector<bank::v1::Event> Deposits(uint64_t first, uint64_t last) {
  std::vector<bank::v1::Event> events;
  for (uint64_t position = first; position <= last; ++position) {
    events.push_back(Deposited(position, "alice", position, 1));
  }
  return events;
}

class ProjectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteReadModel>> opened = SqliteReadModel::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    waiters_ = std::make_unique<PositionWaiters>(store_->applied_position());
    projector_ = std::make_unique<Projector>(store_.get(), waiters_.get());
  }
  void TearDown() override {
    projector_->Stop();
    waiters_->Shutdown();
  }

  TempDir dir_;
  std::unique_ptr<SqliteReadModel> store_;
  std::unique_ptr<PositionWaiters> waiters_;
  std::unique_ptr<Projector> projector_;
};

TEST_F(ProjectorTest, CaughtUpBatchOnAnIdleProjectorIsAppliedBeforeSubmitReturns) {
  std::thread::id told_on;
  waiters_->Wait(waiters_->Reserve(), 3, absl::InfiniteFuture(),
                 [&told_on](absl::Status) { told_on = std::this_thread::get_id(); });
  ASSERT_TRUE(projector_->Submit(Deposits(1, 3), /*caught_up=*/true).ok());
  EXPECT_EQ(store_->applied_position(), 3u);
  EXPECT_EQ(told_on, std::this_thread::get_id());  // the waiter heard it on this thread
}

TEST_F(ProjectorTest, BatchThatIsNotCaughtUpIsQueuedForTheProjectorThread) {
  std::thread::id told_on;
  waiters_->Wait(waiters_->Reserve(), 3, absl::InfiniteFuture(),
                 [&told_on](absl::Status) { told_on = std::this_thread::get_id(); });
  ASSERT_TRUE(projector_->Submit(Deposits(1, 3), /*caught_up=*/false).ok());
  ASSERT_TRUE(projector_->Flush().ok());
  EXPECT_EQ(store_->applied_position(), 3u);
  EXPECT_NE(told_on, std::this_thread::get_id());
}

// Catch-up batches, then live ones, in a mix: every event is applied once, in
// order, whichever thread applies it.
TEST_F(ProjectorTest, QueuedAndInlineBatchesApplyInOrderExactlyOnce) {
  uint64_t next = 1;
  for (int round = 0; round < 200; ++round) {
    const uint64_t size = 1 + round % 7;
    const bool caught_up = round % 3 != 0;
    ASSERT_TRUE(projector_->Submit(Deposits(next, next + size - 1), caught_up).ok());
    next += size;
  }
  ASSERT_TRUE(projector_->Flush().ok());
  EXPECT_EQ(store_->applied_position(), next - 1);
  absl::StatusOr<AccountView> alice = store_->GetAccount("alice");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->state.balance, static_cast<int64_t>(next - 1));
  EXPECT_EQ(alice->state.version, next - 1);
}

}  // namespace
}  // namespace bank::query
