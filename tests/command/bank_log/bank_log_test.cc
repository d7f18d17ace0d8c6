// Runs the real bank-log program on copies of the golden log, whole and
// damaged, and checks what it says, its exit status, and that it changed
// nothing in the data directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/data_dir_lock.h"
#include "common/event_format.h"
#include "tests/command/log_test_util.h"
#include "tests/support/subprocess.h"

namespace bank::bank_log {
namespace {

using ::bank::testing::FreshDir;
using ::bank::testing::Outcome;
using ::bank::testing::ReadFile;
using ::bank::testing::WriteFile;
using ::testing::HasSubstr;

constexpr char kLastSegment[] = "/00000000000000000013.log";
constexpr size_t kLastSegmentSize = 271;  // tests/data/golden-v1, no preallocated zeros

Outcome RunBankLog(const std::vector<std::string>& args) {
  return ::bank::testing::RunToCompletion(::bank::testing::ProgramPath("bank-log"), args);
}

std::string GoldenCopy(const std::string& name) {
  const std::string dir = FreshDir(name);
  std::filesystem::copy(BANK_SOURCE_DIR "/tests/data/golden-v1", dir);
  return dir;
}

// Every file under `dir` by name, with its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    files[entry.path().string()] = entry.is_regular_file() ? ReadFile(entry.path()) : "(dir)";
  }
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The golden log's events as the service itself reads them, in `format`.
std::vector<std::string> ServiceEventLines(Format format) {
  const std::string dir = GoldenCopy("bank_log_service_read");
  auto log = ::bank::testing::OpenLog(dir);
  EXPECT_TRUE(log.ok()) << log.status();
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE((*log)->ReadAfter(0, 1000, &events).ok());
  std::vector<std::string> lines;
  for (const bank::v1::Event& event : events) lines.push_back(FormatEvent(event, format));
  return lines;
}

TEST(BankLogTest, VerifySaysTheGoldenLogIsWholeWithItsCountAndHead) {
  const std::string dir = GoldenCopy("bank_log_whole");
  const auto before = Snapshot(dir);
  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out,
            "whole: 17 events, head position 17, in 2 segment(s); start-up would recover it "
            "unchanged\n");
  EXPECT_EQ(verify.err, "");
  EXPECT_EQ(Snapshot(dir), before);
}

TEST(BankLogTest, DumpPrintsEveryEventAsTheServiceReadsIt) {
  const std::string dir = GoldenCopy("bank_log_dump");
  const auto before = Snapshot(dir);
  Outcome dump = RunBankLog({"dump", dir});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(Lines(dump.out), ServiceEventLines(Format::kHuman));
  EXPECT_EQ(Lines(dump.out).size(), 17u);
  EXPECT_EQ(Lines(dump.out)[2],
            "position 3, alice version 2: withdrawal 1234, command_id g-3, at "
            "2026-11-29T09:19:58.070820001Z");
  EXPECT_EQ(Snapshot(dir), before);
}

TEST(BankLogTest, DumpJsonIsBankctlWatchJson) {
  Outcome dump = RunBankLog({"dump", "--json", GoldenCopy("bank_log_json")});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  // FormatEvent is what `bankctl watch --json` prints each event with.
  EXPECT_EQ(Lines(dump.out), ServiceEventLines(Format::kJson));
  EXPECT_EQ(Lines(dump.out)[0],
            R"({"position":1,"account_id":"alice","version":1,"kind":"DEPOSIT","amount":10000,)"
            R"("command_id":"g-1","recorded_at":"2026-11-29T09:19:58.016042572Z","principal":""})");
}

TEST(BankLogTest, DumpAfterPrintsOnlyTheLaterEvents) {
  Outcome dump = RunBankLog({"dump", GoldenCopy("bank_log_after"), "--after=15"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  const std::vector<std::string> all = ServiceEventLines(Format::kHuman);
  EXPECT_EQ(Lines(dump.out), std::vector<std::string>(all.begin() + 15, all.end()));
  EXPECT_EQ(RunBankLog({"dump", GoldenCopy("bank_log_after_head"), "--after=17"}).out, "");
}

TEST(BankLogTest, TornTailSaysStartUpWouldCutItWhereAndChangesNothing) {
  const std::string dir = GoldenCopy("bank_log_torn");
  std::string record;
  log::AppendRecord(log::kCurrentEventType, 18, "a write the crash interrupted", &record);
  const std::string segment = dir + kLastSegment;
  WriteFile(segment, ReadFile(segment) + record.substr(0, 20));
  const auto before = Snapshot(dir);

  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_EQ(verify.out,
            absl::StrCat("torn tail: 17 events, head position 17, then 20 bytes of an unfinished "
                         "record in ",
                         segment,
                         " at offset 271 (where position 18 would be)\n"
                         "start-up would cut the file there (a write a crash interrupted; it was "
                         "never acknowledged) and go on at head position 17\n"));
  Outcome dump = RunBankLog({"dump", dir});
  EXPECT_EQ(dump.exit_code, 1);
  EXPECT_EQ(Lines(dump.out).size(), 17u);
  EXPECT_EQ(dump.err, verify.out);
  EXPECT_EQ(Snapshot(dir), before);

  // And start-up does what it said.
  ASSERT_TRUE(::bank::testing::OpenLog(dir).ok());
  EXPECT_EQ(::bank::testing::RecordsEnd(segment), kLastSegmentSize);
}

TEST(BankLogTest, FlippedBitInAnEarlierRecordSaysStartUpRefusesNamingWhere) {
  const std::string dir = GoldenCopy("bank_log_bitflip");
  const std::string segment = dir + kLastSegment;
  std::string bytes = ReadFile(segment);
  bytes[log::kSegmentHeaderSize + log::kRecordHeaderSize + 2] ^= 0x10;  // position 13's payload
  WriteFile(segment, bytes);
  const auto before = Snapshot(dir);

  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(
      verify.out,
      HasSubstr(absl::StrCat("damaged after 12 events, head position 12:\n"
                             "DATA_LOSS: damaged record in ",
                             segment, " at offset 32 (position 13) is followed by valid records")));
  EXPECT_THAT(verify.out, HasSubstr("\nstart-up would refuse to start (and change nothing)\n"));
  Outcome dump = RunBankLog({"dump", dir});
  EXPECT_EQ(dump.exit_code, 1);
  EXPECT_EQ(Lines(dump.out).size(), 12u);
  EXPECT_EQ(dump.err, verify.out);
  EXPECT_EQ(Snapshot(dir), before);
}

TEST(BankLogTest, DamageInASealedSegmentNamesSegmentOffsetAndPosition) {
  const std::string dir = GoldenCopy("bank_log_sealed");
  const std::string segment = dir + "/00000000000000000001.log";
  std::string bytes = ReadFile(segment);
  bytes[bytes.size() - 3] ^= 0x01;  // position 12, the sealed segment's last record
  WriteFile(segment, bytes);
  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.out,
              HasSubstr(absl::StrCat("damaged record in sealed segment ", segment, " at offset ")));
  EXPECT_THAT(verify.out, HasSubstr("(position 12)"));
  EXPECT_THAT(verify.out, HasSubstr("start-up would refuse to start"));
}

TEST(BankLogTest, EmptyDirectoryIsAnEmptyLogAndGetsNoLockFile) {
  const std::string dir = FreshDir("bank_log_empty");
  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out,
            "whole: no segment file, an empty log; start-up would begin it at position 1\n");
  EXPECT_TRUE(Snapshot(dir).empty());
}

TEST(BankLogTest, MissingDirectoryIsRefused) {
  const std::string dir = FreshDir("bank_log_missing") + "/not-there";
  Outcome verify = RunBankLog({"verify", dir});
  EXPECT_EQ(verify.exit_code, 2);
  EXPECT_THAT(verify.err, HasSubstr(absl::StrCat("data directory ", dir, " does not exist")));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(BankLogTest, ADirectoryALiveProcessHoldsIsRefused) {
  const std::string dir = GoldenCopy("bank_log_held");
  auto lock = DataDirLock::Acquire(dir);  // as a running command service holds it
  ASSERT_TRUE(lock.ok()) << lock.status();
  const auto before = Snapshot(dir);
  for (const char* verb : {"verify", "dump"}) {
    Outcome run = RunBankLog({verb, dir});
    EXPECT_EQ(run.exit_code, 2) << verb;
    EXPECT_EQ(run.out, "") << verb;
    EXPECT_THAT(run.err, HasSubstr("is in use by another process")) << verb;
    EXPECT_THAT(run.err, HasSubstr("stop it first")) << verb;
  }
  EXPECT_EQ(Snapshot(dir), before);
}

TEST(BankLogTest, UsageErrorsExit2) {
  EXPECT_EQ(RunBankLog({}).exit_code, 2);
  EXPECT_EQ(RunBankLog({"verify"}).exit_code, 2);
  EXPECT_EQ(RunBankLog({"frobnicate", "dir"}).exit_code, 2);
  Outcome usage = RunBankLog({"dump"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("bank-log copy --from=DATA_DIR --to=URI"));
}

}  // namespace
}  // namespace bank::bank_log
