// The real command-service with --snapshot_every: it writes snapshots into
// its data directory as commands arrive, a restart begins from the newest
// one and answers retries of older commands with their original replies, and
// a damaged snapshot is skipped with a warning, the state unchanged.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::CallDeposit;
using ::bank::testing::RunningService;

constexpr int kCommands = 60;

std::vector<std::string> Snapshots(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".snap") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

class SnapshotE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = ::testing::TempDir() + "/snapshot_e2e." + std::to_string(::getpid()) + "." +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(data_dir_);
  }
  void TearDown() override {
    service_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  void Start(const std::string& snapshot_every) {
    service_.reset();
    service_ = std::make_unique<RunningService>(
        "command-service",
        std::vector<std::string>{"--data_dir=" + data_dir_, "--segment_bytes=65536",
                                 "--snapshot_every=" + snapshot_every});
    stub_ = bank::v1::CommandService::NewStub(service_->channel());
  }

  // kCommands deposits with ids over three accounts; their replies.
  std::vector<bank::v1::CommandReply> DepositAll() {
    std::vector<bank::v1::CommandReply> replies(kCommands);
    for (int i = 0; i < kCommands; ++i) {
      const grpc::Status status = CallDeposit(*stub_, absl::StrCat("acct-", i % 3), 10 + i,
                                              &replies[i], absl::StrCat("deposit-", i));
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return replies;
  }

  // Waits until a snapshot file exists, for as long as a slow machine needs.
  void WaitForASnapshot() {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (Snapshots(data_dir_).empty() && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_FALSE(Snapshots(data_dir_).empty()) << service_->process().Stderr();
  }

  // Every deposit again: each retry gets its original reply.
  void ExpectRetriesGetTheOriginalReplies(const std::vector<bank::v1::CommandReply>& replies) {
    for (int i = 0; i < kCommands; ++i) {
      bank::v1::CommandReply retried;
      const grpc::Status status = CallDeposit(*stub_, absl::StrCat("acct-", i % 3), 10 + i,
                                              &retried, absl::StrCat("deposit-", i));
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(retried.ShortDebugString(), replies[i].ShortDebugString()) << "deposit-" << i;
    }
  }

  std::string data_dir_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<bank::v1::CommandService::Stub> stub_;
};

TEST_F(SnapshotE2eTest, ARestartBeginsFromTheSnapshotAndAnswersRetriesAsBefore) {
  Start("20");
  const std::vector<bank::v1::CommandReply> replies = DepositAll();
  WaitForASnapshot();
  ASSERT_EQ(service_->Stop(), 0);

  Start("20");
  EXPECT_TRUE(absl::StrContains(service_->process().Stderr(), "command ids loaded in"))
      << service_->process().Stderr();
  ExpectRetriesGetTheOriginalReplies(replies);
}

TEST_F(SnapshotE2eTest, ADamagedSnapshotIsSkippedWithAWarningAndTheStateIsTheSame) {
  Start("20");
  const std::vector<bank::v1::CommandReply> replies = DepositAll();
  WaitForASnapshot();
  ASSERT_EQ(service_->Stop(), 0);
  for (const std::string& path : Snapshots(data_dir_)) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(60);
    file.put('\x7f');
  }

  Start("20");
  const std::string err = service_->process().Stderr();
  EXPECT_TRUE(absl::StrContains(err, "skipped (DATA_LOSS): snapshot checksum mismatch")) << err;
  EXPECT_FALSE(absl::StrContains(err, "command ids loaded in")) << err;
  ExpectRetriesGetTheOriginalReplies(replies);
}

TEST_F(SnapshotE2eTest, SnapshotEveryZeroWritesNone) {
  Start("0");
  DepositAll();
  ASSERT_EQ(service_->Stop(), 0);
  EXPECT_TRUE(Snapshots(data_dir_).empty());
}

}  // namespace
}  // namespace bank
