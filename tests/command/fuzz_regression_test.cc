// Inputs that fuzz_segment_recovery (tests/fuzz) found crashing, kept as
// ordinary tests; each input is also in tests/fuzz/corpus.

#include <gtest/gtest.h>

#include <limits>

#include "command-service/recovered_state.h"
#include "command-service/store/file/event_log.h"
#include "command-service/store/file/log_format.h"
#include "command-service/store/file/segment.h"
#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::FreshDir;
using ::bank::testing::RawRecord;
using ::bank::testing::ReadFile;
using ::bank::testing::WriteSegment;

bank::v1::Event Event(uint64_t position, uint64_t version, int64_t amount, bool withdrawn) {
  bank::v1::Event event;
  event.set_position(position);
  event.set_account_id("a");
  event.set_version(version);
  if (withdrawn) {
    event.mutable_withdrawn()->set_amount(amount);
  } else {
    event.mutable_deposited()->set_amount(amount);
  }
  return event;
}

// Writes `events` as segment 1 with good checksums: damage no checksum sees.
std::string WriteLog(const std::string& dir, const std::vector<bank::v1::Event>& events) {
  std::vector<RawRecord> records;
  for (const bank::v1::Event& event : events) {
    records.push_back({log::RecordType::kEventV1, event.position(), event.SerializeAsString()});
  }
  return WriteSegment(dir, 1, records);
}

absl::Status OpenWithBook(const std::string& dir) { return RecoverState({.dir = dir}).status(); }

// Found by fuzz_segment_recovery: a withdrawal of a negative amount after a
// large deposit took the balance past int64 inside Apply (undefined behaviour)
// during start-up.
TEST(SegmentRecoveryRegressionTest, NegativeWithdrawalIsDataLossNotAnOverflow) {
  const std::string dir = FreshDir("fuzz_negative_withdrawal");
  const std::string bytes = WriteLog(
      dir, {Event(1, 1, 7053166851712475618, false), Event(2, 2, -7052931737320164365, true)});
  absl::Status opened = OpenWithBook(dir);
  EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss) << opened;
  EXPECT_EQ(ReadFile(dir + "/" + log::SegmentFileName(1)), bytes) << "the log was changed";
}

TEST(SegmentRecoveryRegressionTest, EveryAmountDecideWouldRefuseIsDataLoss) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const struct {
    const char* what;
    bank::v1::Event second;
  } cases[] = {
      {"zero deposit", Event(2, 2, 0, false)},
      {"negative deposit", Event(2, 2, -1, false)},
      {"negative withdrawal", Event(2, 2, -1, true)},
      {"overdraft", Event(2, 2, 101, true)},
      {"deposit past int64", Event(2, 2, kMax - 99, false)},
      {"no body",
       [] {
         bank::v1::Event event = Event(2, 2, 1, false);
         event.clear_deposited();
         return event;
       }()},
  };
  for (const auto& c : cases) {
    const std::string dir = FreshDir("fuzz_amounts");
    WriteLog(dir, {Event(1, 1, 100, false), c.second});
    EXPECT_EQ(OpenWithBook(dir).code(), absl::StatusCode::kDataLoss) << c.what;
  }
  // The limits themselves are reachable.
  const std::string dir = FreshDir("fuzz_amounts_ok");
  WriteLog(dir, {Event(1, 1, 100, false), Event(2, 2, 100, true), Event(3, 3, kMax, false)});
  EXPECT_TRUE(OpenWithBook(dir).ok());
}

}  // namespace
}  // namespace bank::command
