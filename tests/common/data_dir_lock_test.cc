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

}  // namespace
}  // namespace bank
