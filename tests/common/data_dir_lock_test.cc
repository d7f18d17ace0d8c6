#include "common/data_dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace bank {
namespace {

std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + name + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(DataDirLockTest, CreatesMissingDirectory) {
  const std::string dir = FreshDir("lock_create") + "/nested/deeper";
  auto lock = DataDirLock::Acquire(dir);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(std::filesystem::is_directory(dir));
}

TEST(DataDirLockTest, SecondProcessIsRefusedWhileFirstHoldsIt) {
  const std::string dir = FreshDir("lock_busy");
  auto lock = DataDirLock::Acquire(dir);
  ASSERT_TRUE(lock.ok()) << lock.status();
  // flock is per open file description: a child process is the real test.
  pid_t child = fork();
  if (child == 0) {
    auto second = DataDirLock::Acquire(dir);
    _exit(!second.ok() && second.status().code() == absl::StatusCode::kFailedPrecondition ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(DataDirLockTest, ReleasedWhenDestroyed) {
  const std::string dir = FreshDir("lock_release");
  { ASSERT_TRUE(DataDirLock::Acquire(dir).ok()); }
  EXPECT_TRUE(DataDirLock::Acquire(dir).ok());
}

TEST(DataDirLockTest, SharedLockCreatesNothing) {
  const std::string dir = FreshDir("lock_shared_empty");
  std::filesystem::create_directories(dir);
  { ASSERT_TRUE(DataDirLock::AcquireShared(dir).ok()); }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(DataDirLockTest, SharedLockOfAMissingDirectoryIsNotFoundAndCreatesNothing) {
  const std::string dir = FreshDir("lock_shared_missing");
  auto lock = DataDirLock::AcquireShared(dir);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// Runs `acquire` on `dir` in a child process: flock is per open file
// description, so only another process shows who excludes whom.
bool ChildIsRefused(const std::string& dir,
                    absl::StatusOr<std::unique_ptr<DataDirLock>> (*acquire)(const std::string&)) {
  pid_t child = fork();
  if (child == 0) {
    auto lock = acquire(dir);
    _exit(!lock.ok() && lock.status().code() == absl::StatusCode::kFailedPrecondition ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(DataDirLockTest, SharedLockIsRefusedWhileAServiceHoldsTheDirectoryAndKeepsOneOut) {
  const std::string dir = FreshDir("lock_shared_busy");
  {
    auto lock = DataDirLock::Acquire(dir);
    ASSERT_TRUE(lock.ok()) << lock.status();
    EXPECT_TRUE(ChildIsRefused(dir, &DataDirLock::AcquireShared));
  }
  auto shared = DataDirLock::AcquireShared(dir);
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_TRUE(ChildIsRefused(dir, &DataDirLock::Acquire));
  EXPECT_FALSE(ChildIsRefused(dir, &DataDirLock::AcquireShared));
}

}  // namespace
}  // namespace bank
