#ifndef BANK_TESTS_QUERY_TEST_UTIL_H_
#define BANK_TESTS_QUERY_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bank/v1/event.pb.h"
#include "tests/support/wait_for.h"

namespace bank::query::testing {

// A fresh directory under the test's temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bank::v1::Event Deposited(uint64_t position, const std::string& account, uint64_t version,
                          int64_t amount, const std::string& command_id = "");
bank::v1::Event Withdrawn(uint64_t position, const std::string& account, uint64_t version,
                          int64_t amount, const std::string& command_id = "");
// A transfer's two legs, at `position` (out of `from`) and position + 1 (into
// `to`), at the accounts' versions given.
std::vector<bank::v1::Event> Transferred(uint64_t position, const std::string& from,
                                         uint64_t from_version, const std::string& to,
                                         uint64_t to_version, int64_t amount,
                                         const std::string& command_id = "");

using ::bank::testing::WaitFor;

}  // namespace bank::query::testing

#endif  // BANK_TESTS_QUERY_TEST_UTIL_H_
