// The memory store's own seams (the contract itself is proved for every store
// in event_store_conformance_test.cc): another writer sharing the store.
#include "command-service/store/memory_event_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/command/log_test_util.h"

namespace bank::store {
namespace {

using ::bank::testing::AppendAndWait;
using ::bank::testing::DepositEvent;

std::vector<uint64_t> ReadPositions(const EventStore& store) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(store.ReadAfter(0, 100, &events).ok());
  std::vector<uint64_t> positions;
  for (const bank::v1::Event& event : events) positions.push_back(event.position());
  return positions;
}

TEST(MemoryEventStoreTest, AnotherWritersEventsTakeTheNextPositionsAndReachTheHeadListeners) {
  MemoryEventStore store;
  std::vector<uint64_t> heads;
  store.AddHeadListener([&heads](uint64_t head) { heads.push_back(head); });
  ASSERT_EQ(*AppendAndWait(store, DepositEvent("a", 1, 1)), 1u);

  ASSERT_TRUE(store.AppendAsAnotherWriter({DepositEvent("b", 1, 2), DepositEvent("b", 2, 3)}).ok());
  EXPECT_EQ(store.durable_head(), 3u);
  EXPECT_EQ(heads, (std::vector<uint64_t>{1, 3}));
  absl::StatusOr<bank::v1::Event> theirs = ReadEventAt(store, 3);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_EQ(theirs->account_id(), "b");
  EXPECT_EQ(theirs->version(), 2u);
  EXPECT_TRUE(theirs->has_recorded_at());

  EXPECT_EQ(*AppendAndWait(store, DepositEvent("c", 1, 4)), 4u);
}

TEST(MemoryEventStoreTest, AQueuedAppendIsPositionedAfterEventsAnotherWriterCommittedMeanwhile) {
  MemoryEventStore store;
  absl::StatusOr<uint64_t> ours = absl::UnknownError("not answered");
  store.Append({DepositEvent("a", 1, 1)},
               [&ours](absl::StatusOr<uint64_t> position) { ours = position; });
  ASSERT_TRUE(store.AppendAsAnotherWriter({DepositEvent("b", 1, 2)}).ok());
  store.Commit();
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(*ours, 2u);
  EXPECT_EQ(ReadPositions(store), (std::vector<uint64_t>{1, 2}));
}

TEST(MemoryEventStoreTest, ADecisionThatMissedAnotherWritersEventIsAbortedAndItsCommandIdTaken) {
  MemoryEventStore store;
  ASSERT_TRUE(store.AppendAsAnotherWriter({DepositEvent("a", 1, 5, "dep-1")}).ok());
  // This process never saw it: it decides version 1 again, and a retry of
  // that command here would deposit twice.
  EXPECT_EQ(AppendAndWait(store, DepositEvent("a", 1, 5)).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(AppendAndWait(store, DepositEvent("b", 1, 5, "dep-1")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadPositions(store), (std::vector<uint64_t>{1}));
  EXPECT_TRUE(store.health().ok());
}

TEST(MemoryEventStoreTest, AnotherWritersConflictingBatchStoresNothing) {
  MemoryEventStore store;
  std::vector<uint64_t> heads;
  store.AddHeadListener([&heads](uint64_t head) { heads.push_back(head); });
  ASSERT_TRUE(AppendAndWait(store, DepositEvent("a", 1, 1)).ok());

  absl::Status refused =
      store.AppendAsAnotherWriter({DepositEvent("x", 1, 1, "id-1"), DepositEvent("a", 1, 1)});
  EXPECT_EQ(refused.code(), absl::StatusCode::kAborted) << refused;
  EXPECT_EQ(ReadPositions(store), (std::vector<uint64_t>{1}));
  EXPECT_EQ(heads, (std::vector<uint64_t>{1}));
  // The refused batch left neither x's version nor its id behind.
  EXPECT_TRUE(store.AppendAsAnotherWriter({DepositEvent("x", 1, 1, "id-1")}).ok());
  EXPECT_EQ(ReadPositions(store), (std::vector<uint64_t>{1, 2}));
}

TEST(MemoryEventStoreTest, DestroyingTheStoreAnswersEveryQueuedAppend) {
  absl::StatusOr<uint64_t> answer = absl::UnknownError("not answered");
  {
    MemoryEventStore store;
    store.Append({DepositEvent("a", 1, 1)},
                 [&answer](absl::StatusOr<uint64_t> position) { answer = position; });
  }
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, 1u);
}

}  // namespace
}  // namespace bank::store
