#include "tests/query/test_util.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/time/clock.h"

namespace bank::query::testing {

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/query_test.XXXXXX";
  path_ = mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

bank::v1::Event Base(uint64_t position, const std::string& account, uint64_t version,
                     const std::string& command_id) {
  bank::v1::Event event;
  event.set_position(position);
  event.set_account_id(account);
  event.set_version(version);
  event.set_command_id(command_id);
  event.mutable_recorded_at()->set_seconds(1700000000 + static_cast<int64_t>(position));
  event.mutable_recorded_at()->set_nanos(static_cast<int32_t>(position % 1000) * 1000);
  return event;
}

}  // namespace

bank::v1::Event Deposited(uint64_t position, const std::string& account, uint64_t version,
                          int64_t amount, const std::string& command_id) {
  bank::v1::Event event = Base(position, account, version, command_id);
  event.mutable_deposited()->set_amount(amount);
  return event;
}

bank::v1::Event Withdrawn(uint64_t position, const std::string& account, uint64_t version,
                          int64_t amount, const std::string& command_id) {
  bank::v1::Event event = Base(position, account, version, command_id);
  event.mutable_withdrawn()->set_amount(amount);
  return event;
}

std::vector<bank::v1::Event> Transferred(uint64_t position, const std::string& from,
                                         uint64_t from_version, const std::string& to,
                                         uint64_t to_version, int64_t amount,
                                         const std::string& command_id) {
  std::vector<bank::v1::Event> legs = {Base(position, from, from_version, command_id),
                                       Base(position + 1, to, to_version, command_id)};
  legs[0].mutable_transferred_out()->set_amount(amount);
  legs[0].mutable_transferred_out()->set_to_account_id(to);
  legs[1].mutable_transferred_in()->set_amount(amount);
  legs[1].mutable_transferred_in()->set_from_account_id(from);
  return legs;
}

}  // namespace bank::query::testing
