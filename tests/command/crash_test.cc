// A child process appends under load and is killed with SIGKILL at a random
// moment; after reopening, every append it saw acknowledged must be there,
// exactly once, with dense positions.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/command/log_test_util.h"

namespace bank::log {
namespace {

using ::bank::testing::DepositEvent;
using ::bank::testing::FreshDir;
using ::bank::testing::OpenLog;

// Runs in the child: appends forever from several threads, each committing
// its own appends (so groups form as they would under gRPC) with at most 64
// unacknowledged in all (as if 64 clients waited for their replies),
// reporting each acknowledgement as "command_id position\n" on `ack_fd`.
[[noreturn]] void AppendUntilKilled(const std::string& dir, int ack_fd, int round) {
  auto log = OpenLog(dir, nullptr, /*segment_bytes=*/64 << 10);
  if (!log.ok()) _exit(3);
  constexpr int kThreads = 4;
  constexpr int kMaxInFlight = 64;
  std::atomic<int> in_flight{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, &in_flight, ack_fd, round, t] {
      for (uint64_t i = 0;; ++i) {
        while (in_flight.load() >= kMaxInFlight) std::this_thread::yield();
        ++in_flight;
        const std::string command_id =
            "r" + std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(i);
        // One account per command keeps versions trivially valid.
        (*log)->Append({DepositEvent(command_id, 1, 1, command_id)},
                       [&in_flight, ack_fd, command_id](absl::StatusOr<uint64_t> position) {
                         if (position.ok()) {
                           const std::string line =
                               command_id + " " + std::to_string(*position) + "\n";
                           if (::write(ack_fd, line.data(), line.size()) < 0) _exit(4);
                         }
                         --in_flight;
                       });
        (*log)->Commit();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();  // never: the parent kills us
  _exit(5);
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  return out;
}

TEST(CrashTest, EveryAcknowledgedAppendSurvivesSigkillExactlyOnce) {
  const std::string dir = FreshDir("crash");
  std::mt19937 random(12345);
  constexpr int kRounds = 6;
  size_t total_acked = 0;
  for (int round = 0; round < kRounds; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      AppendUntilKilled(dir, pipe_fds[1], round);
    }
    ::close(pipe_fds[1]);
    // The kill lands at a random moment after the first acknowledgement, not
    // after a fixed delay: under a sanitizer and a loaded machine the child's
    // start-up alone can outlast any delay, and a round that acknowledged
    // nothing proves nothing.
    char first[4096];
    const ssize_t got = ::read(pipe_fds[0], first, sizeof(first));
    ASSERT_GT(got, 0) << "round " << round << ": the child ended before acknowledging anything";
    std::string acks(first, static_cast<size_t>(got));
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 200));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped by itself: " << status;
    acks += ReadAll(pipe_fds[0]);
    ::close(pipe_fds[0]);

    std::vector<bank::v1::Event> recovered;
    auto log = OpenLog(dir, &recovered, 64 << 10);
    ASSERT_TRUE(log.ok()) << "round " << round << ": " << log.status();
    absl::flat_hash_map<std::string, uint64_t> position_of;
    for (size_t i = 0; i < recovered.size(); ++i) {
      ASSERT_EQ(recovered[i].position(), i + 1) << "positions are dense";
      ASSERT_TRUE(position_of.emplace(recovered[i].command_id(), i + 1).second)
          << "command " << recovered[i].command_id() << " appears twice";
    }
    size_t acked = 0;
    for (absl::string_view line : absl::StrSplit(acks, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
      ASSERT_EQ(fields.size(), 2u);
      uint64_t position = 0;
      ASSERT_TRUE(absl::SimpleAtoi(fields[1], &position));
      auto found = position_of.find(fields[0]);
      ASSERT_NE(found, position_of.end()) << "acknowledged " << fields[0] << " was lost";
      EXPECT_EQ(found->second, position);
      ++acked;
    }
    EXPECT_GT(acked, 0u) << "round " << round << " acknowledged nothing before the kill";
    total_acked += acked;
  }
  RecordProperty("acknowledged_appends", static_cast<int>(total_acked));
}

}  // namespace
}  // namespace bank::log
