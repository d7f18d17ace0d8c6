#ifndef BANK_TESTS_SUPPORT_DEV_CERTS_H_
#define BANK_TESTS_SUPPORT_DEV_CERTS_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bank::testing {

// A fresh directory under the test's temp dir holding what scripts/dev-certs.sh
// (of the source tree this was built from) makes: ca.pem, server.key,
// other-client.pem... Removed with its contents when destroyed.
class DevCerts {
 public:
  // The extra SAN every set has, as the script's --san gives it.
  static constexpr absl::string_view kExtraSan = "command-service-a";

  // Runs the script. An error holds its exit code, stdout and stderr.
  static absl::StatusOr<std::unique_ptr<DevCerts>> Make();

  ~DevCerts();
  DevCerts(const DevCerts&) = delete;
  DevCerts& operator=(const DevCerts&) = delete;

  const std::string& dir() const { return dir_; }
  // DIR/name.
  std::string Path(absl::string_view name) const;

 private:
  explicit DevCerts(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// A fixture whose tests share one DevCerts, made once for the suite; a test
// fails at SetUp when the script failed.
class DevCertsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static const DevCerts& certs() { return ***made_; }

 private:
  static absl::StatusOr<std::unique_ptr<DevCerts>>* made_;
};

// `path`'s whole text; empty when it cannot be read.
std::string ReadText(const std::string& path);

// Writes `text` to `path`, replacing it.
void WriteText(const std::string& path, absl::string_view text);

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_DEV_CERTS_H_
