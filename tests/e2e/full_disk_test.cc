// Both services with their data directory on a real full file system: a
// tmpfs mounted with a size limit and filled up by the test, then given room
// again. The fault seams (tests/query/failing_sqlite_vfs.h, the event log's
// file ops) aim at single paths; this is what an operator's disk does.
// Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests skip, saying so.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/running_service.h"
#include "tests/support/wait_for.h"

namespace bank {
namespace {

using ::bank::testing::CallDeposit;
using ::bank::testing::HealthOf;
using ::bank::testing::In;
using ::bank::testing::RunningService;
using ::bank::testing::WaitFor;
using ::grpc::health::v1::HealthCheckResponse;

// A tmpfs of `megabytes` at a fresh directory, unmounted when destroyed.
class SizedTmpfs {
 public:
  explicit SizedTmpfs(int megabytes) {
    path_ = absl::StrCat(::testing::TempDir(), "/full_disk.", ::getpid(), ".",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path_);
    const std::string options = absl::StrCat("size=", megabytes, "m,mode=0755");
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::strerror(errno);
    } else {
      mounted_ = true;
    }
  }
  ~SizedTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(path_);
  }

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // Writes a filler file until the file system refuses (ENOSPC), down to its
  // last page.
  void Fill() {
    const int fd = ::open(Filler().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const std::string chunk(4096, 'x');
    while (::write(fd, chunk.data(), chunk.size()) > 0) {
    }
    EXPECT_EQ(errno, ENOSPC);
    ::close(fd);
  }
  void MakeRoom() { std::filesystem::remove(Filler()); }

 private:
  std::string Filler() const { return path_ + "/filler"; }

  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

#define SKIP_UNLESS_MOUNTED(tmpfs)                                                            \
  if (!(tmpfs).mounted()) {                                                                   \
    GTEST_SKIP() << "cannot mount a size-limited tmpfs here (" << (tmpfs).error()             \
                 << "): the full-disk tests need root; the fault-seam tests still cover the " \
                    "paths";                                                                  \
  }

// Whether health says `status` both for the server and for CommandService by name.
bool CommandServiceHealthIs(const std::shared_ptr<grpc::Channel>& channel, int status) {
  return HealthOf(channel, "") == status && HealthOf(channel, "bank.v1.CommandService") == status;
}

// How often `text` occurs in `haystack`.
int Count(absl::string_view haystack, absl::string_view text) {
  int count = 0;
  for (size_t at = haystack.find(text); at != absl::string_view::npos;
       at = haystack.find(text, at + text.size())) {
    ++count;
  }
  return count;
}

// The delays of the query service's "resubscribing after position P in D"
// lines, in order.
std::vector<absl::Duration> RetryDelays(const std::string& log) {
  std::vector<absl::Duration> delays;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    // "...; resubscribing to HOST:PORT after position N in DELAY"
    const size_t at = line.find(" after position ", line.find("; resubscribing to "));
    if (line.find("; resubscribing to ") == absl::string_view::npos ||
        at == absl::string_view::npos) {
      continue;
    }
    const size_t in = line.find(" in ", at);
    absl::Duration delay;
    if (in != absl::string_view::npos && absl::ParseDuration(line.substr(in + 4), &delay)) {
      delays.push_back(delay);
    }
  }
  return delays;
}

TEST(FullDiskTest, QueryServiceResumesByItselfWhenItsDiskHasRoomAgain) {
  SizedTmpfs disk(8);
  SKIP_UNLESS_MOUNTED(disk);
  const std::string root = disk.path() + ".command";
  std::filesystem::remove_all(root);
  RunningService command("command-service", {"--data_dir=" + root});
  RunningService query("query-service", {"--data_dir=" + disk.path() + "/query",
                                         "--command_service=" + command.address()});
  auto command_stub = bank::v1::CommandService::NewStub(command.channel());
  auto query_stub = bank::v1::QueryService::NewStub(query.channel());
  const auto balance = [&](uint64_t min_position, int seconds) {
    grpc::ClientContext context;
    context.set_deadline(In(seconds));
    bank::v1::GetBalanceRequest request;
    request.set_account_id("acc1");
    request.set_min_position(min_position);
    bank::v1::AccountBalance reply;
    const grpc::Status status = query_stub->GetBalance(&context, request, &reply);
    return status.ok() ? reply.balance() : -1;
  };
  bank::v1::CommandReply reply;
  ASSERT_TRUE(CallDeposit(*command_stub, "acc1", 1, &reply).ok());
  ASSERT_EQ(balance(1, 10), 1);

  disk.Fill();
  // Enough events that their batch needs pages the WAL does not have yet.
  constexpr int kDeposits = 2000;
  for (int i = 0; i < kDeposits; ++i) {
    ASSERT_TRUE(CallDeposit(*command_stub, "acc1", 1, &reply, absl::StrCat("full-disk-", i)).ok());
  }
  const uint64_t head = reply.position();
  ASSERT_TRUE(query.process().WaitForStderr("database or disk is full"))
      << query.process().Stderr();
  // Retries back off: wait for five of them, then compare their delays.
  // Equal jitter draws the n-th from [d/2, d] with d doubling, so below the
  // cap each is at least as long as the one before.
  ASSERT_TRUE(
      WaitFor([&] { return RetryDelays(query.process().Stderr()).size() >= 5; }, absl::Seconds(30)))
      << query.process().Stderr();
  const std::vector<absl::Duration> delays = RetryDelays(query.process().Stderr());
  for (size_t i = 1; i < 5; ++i) EXPECT_GE(delays[i], delays[i - 1]) << i;
  EXPECT_EQ(balance(0, 10), 1) << "nothing after the failure may be visible";

  disk.MakeRoom();
  ASSERT_EQ(balance(head, 30), 1 + kDeposits) << query.process().Stderr();
  // Exactly once: one history row per event, and one recovery said once.
  uint64_t rows = 0;
  std::string token;
  do {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    bank::v1::GetHistoryRequest request;
    request.set_account_id("acc1");
    request.set_page_size(1000);
    request.set_page_token(token);
    bank::v1::GetHistoryResponse page;
    ASSERT_TRUE(query_stub->GetHistory(&context, request, &page).ok());
    rows += page.transactions_size();
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(rows, static_cast<uint64_t>(1 + kDeposits));
  EXPECT_EQ(Count(query.process().Stderr(), "applying resumed at position"), 1)
      << query.process().Stderr();
  grpc::ClientContext context;
  context.set_deadline(In(10));
  bank::v1::ProjectionStatus status;
  ASSERT_TRUE(query_stub->GetStatus(&context, {}, &status).ok());
  EXPECT_EQ(status.applied_position(), head);
  EXPECT_TRUE(status.source_connected());
  EXPECT_EQ(query.Stop(), 0);
  EXPECT_EQ(command.Stop(), 0);
  std::filesystem::remove_all(root);
}

TEST(FullDiskTest, CommandServiceRefusesWithResourceExhaustedAndKeepsEveryAcknowledgedCommand) {
  SizedTmpfs disk(4);
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data_dir = disk.path() + "/command";
  // Small segments, so the preallocated space runs out soon after the disk
  // is full and the next segment cannot be created.
  const std::vector<std::string> args = {"--data_dir=" + data_dir, "--segment_bytes=65536"};
  std::map<std::string, bank::v1::CommandReply> acknowledged;
  grpc::Status refused;
  {
    RunningService command("command-service", args);
    auto stub = bank::v1::CommandService::NewStub(command.channel());
    bank::v1::CommandReply reply;
    ASSERT_TRUE(CallDeposit(*stub, "acc1", 1, &reply, "before-full").ok());
    acknowledged["before-full"] = reply;
    disk.Fill();
    for (int i = 0; i < 100000 && refused.ok(); ++i) {
      const std::string id = absl::StrCat("cmd-", i);
      refused = CallDeposit(*stub, "acc1", 1, &reply, id);
      if (refused.ok()) acknowledged[id] = reply;
    }
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << refused.error_message();
    // Sticky: later commands are refused too, and health says so, for the
    // server and for the service by name.
    EXPECT_FALSE(CallDeposit(*stub, "acc1", 1, &reply, "after-full").ok());
    EXPECT_TRUE(WaitFor(
        [&] { return CommandServiceHealthIs(command.channel(), HealthCheckResponse::NOT_SERVING); },
        absl::Seconds(10)));
    command.Stop();
  }
  disk.MakeRoom();
  RunningService command("command-service", args);
  auto stub = bank::v1::CommandService::NewStub(command.channel());
  EXPECT_TRUE(CommandServiceHealthIs(command.channel(), HealthCheckResponse::SERVING));
  // Every acknowledged command is there, once: its retry gets the original
  // reply, and the log holds exactly as many events.
  for (const auto& [id, original] : acknowledged) {
    bank::v1::CommandReply again;
    ASSERT_TRUE(CallDeposit(*stub, "acc1", 1, &again, id).ok()) << id;
    EXPECT_EQ(again.position(), original.position()) << id;
    EXPECT_EQ(again.balance(), original.balance()) << id;
  }
  bank::v1::CommandReply next;
  ASSERT_TRUE(CallDeposit(*stub, "acc1", 1, &next, "with-room").ok());
  EXPECT_EQ(next.position(), acknowledged.size() + 1);
  EXPECT_EQ(next.balance(), static_cast<int64_t>(acknowledged.size()) + 1);
}

}  // namespace
}  // namespace bank
