#include "query-service/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "query-service/sqlite/sqlite_read_model.h"
#include "tests/query/test_util.h"

namespace bank::query {
namespace {

bank::v1::Event NextEvent(uint64_t position) {
  return testing::Deposited(position, "acct-" + std::to_string(position % 3), (position + 2) / 3, 1,
                            "cmd-" + std::to_string(position));
}

TEST(WalCheckpointerTest, CopiesTheWalIntoTheDatabaseWithoutACommitWaitingForIt) {
  testing::TempDir dir;
  const std::string db_path = dir.path() + "/" + std::string(SqliteReadModel::kFileName);
  auto store = SqliteReadModel::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  const uintmax_t empty_size = std::filesystem::file_size(db_path);
  // ~3 WAL pages a commit: past kCheckpointPages, far below the
  // kWriterCheckpointPages at which the writer would checkpoint itself.
  for (uint64_t position = 1; position <= 1000; ++position) {
    bank::v1::Event event = NextEvent(position);
    ASSERT_TRUE((*store)->Apply({&event, 1}).ok()) << position;
  }
  EXPECT_TRUE(testing::WaitFor([&] { return std::filesystem::file_size(db_path) > empty_size; }))
      << "nothing reached the database file: the background checkpoint did not run";
}

// Even under a writer that never pauses, the WAL is bounded: once a
// background copy cannot catch up, the writer finishes it.
TEST(WalCheckpointerTest, TheWalStaysBoundedUnderABusyWriter) {
  testing::TempDir dir;
  const std::string db_path = dir.path() + "/" + std::string(SqliteReadModel::kFileName);
  uintmax_t largest_wal = 0;
  {
    auto store = SqliteReadModel::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    // One commit per event, 3 accounts: ~3 WAL pages a commit, so 20,000
    // commits would make a ~240 MB WAL if nothing checkpointed.
    const uint64_t kEvents = 20'000;
    for (uint64_t position = 1; position <= kEvents; ++position) {
      const std::string account = "acct-" + std::to_string(position % 3);
      bank::v1::Event event = testing::Deposited(position, account, (position + 2) / 3, 1,
                                                 "cmd-" + std::to_string(position));
      ASSERT_TRUE((*store)->Apply({&event, 1}).ok()) << position;
      if (position % 1000 == 0) {
        largest_wal = std::max(largest_wal, std::filesystem::file_size(db_path + "-wal"));
      }
    }
    EXPECT_EQ((*store)->applied_position(), kEvents);
  }
  EXPECT_LT(largest_wal, 64u << 20) << "the WAL grew with the commits: no checkpoint ran";
  EXPECT_GT(std::filesystem::file_size(db_path), 1u << 20) << "the rows reached the database";
  auto reopened = SqliteReadModel::Open(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->applied_position(), 20'000u);
  auto history = (*reopened)->GetHistory("acct-1", 0, 1000);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->size(), 1000u);
}

}  // namespace
}  // namespace bank::query
