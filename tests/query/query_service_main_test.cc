// The query-service program itself: the data directory lock, the
// --command_service list and a graceful SIGTERM. Runs build/bin/query-service
// (BANK_BIN_DIR, set by bank_test).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/data_dir_lock.h"
#include "tests/query/test_util.h"

extern char** environ;

namespace bank::query {
namespace {

using ::bank::query::testing::TempDir;
using ::bank::query::testing::WaitFor;

// BANK_BIN_DIR, or else the directory of this test binary (CMake puts both
// programs in build/bin).
std::string Binary() {
  if (const char* dir = getenv("BANK_BIN_DIR")) return std::string(dir) + "/query-service";
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/exe", error).parent_path() / "query-service";
}

// Starts query-service with its stderr in `log`; returns the pid.
pid_t Start(const std::string& data_dir, const std::string& log,
            const std::string& command_service = "127.0.0.1:1") {
  std::vector<std::string> args = {Binary(), "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
                                   "--command_service=" + command_service};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0) << argv[0];
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ExitCode(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(QueryServiceMainTest, RefusesADataDirectoryInUse) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir.path());
  ASSERT_TRUE(lock.ok());
  const std::string log = dir.path() + "/stderr";
  const pid_t pid = Start(dir.path(), log);
  EXPECT_NE(ExitCode(pid), 0);
  EXPECT_NE(Read(log).find("in use by another process"), std::string::npos) << Read(log);
}

TEST(QueryServiceMainTest, RefusesAMalformedCommandServiceList) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/query";
  const std::string log = dir.path() + "/stderr";
  const pid_t pid = Start(data_dir, log, "127.0.0.1:50051,127.0.0.1");
  EXPECT_EQ(ExitCode(pid), 1);
  EXPECT_NE(Read(log).find("--command_service: address 2 (\"127.0.0.1\") has no port"),
            std::string::npos)
      << Read(log);
  // Refused before anything was set up.
  EXPECT_FALSE(std::filesystem::exists(data_dir));
}

TEST(QueryServiceMainTest, TriesEveryReplicaOfTheListInTurn) {
  TempDir dir;
  const std::string log = dir.path() + "/stderr";
  const pid_t pid = Start(dir.path() + "/query", log, "127.0.0.1:1,127.0.0.1:2");
  // Neither answers: it goes round the list, naming each replica it tries.
  ASSERT_TRUE(WaitFor([&] {
    const std::string text = Read(log);
    return text.find("subscription to 127.0.0.1:1 ended") != std::string::npos &&
           text.find("subscription to 127.0.0.1:2 ended") != std::string::npos;
  })) << Read(log);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(ExitCode(pid), 0) << Read(log);
}

TEST(QueryServiceMainTest, SigtermShutsDownCleanly) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/query";  // created by the service
  const std::string log = dir.path() + "/stderr";
  const pid_t pid = Start(data_dir, log);
  ASSERT_TRUE(WaitFor([&] { return Read(log).find("listening on") != std::string::npos; }))
      << Read(log);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(ExitCode(pid), 0) << Read(log);
  EXPECT_NE(Read(log).find("stopped at position 0"), std::string::npos) << Read(log);
}

}  // namespace
}  // namespace bank::query
