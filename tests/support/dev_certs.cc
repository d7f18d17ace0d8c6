#include "tests/support/dev_certs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"

namespace bank::testing {

absl::StatusOr<std::unique_ptr<DevCerts>> DevCerts::Make() {
  std::string pattern = ::testing::TempDir() + "dev_certs.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  // Owned from here, so the directory goes even when the script fails.
  std::unique_ptr<DevCerts> certs(new DevCerts(pattern));
  const Outcome outcome = RunToCompletion(BANK_SOURCE_DIR "/scripts/dev-certs.sh",
                                          {certs->dir_, "--san", std::string(kExtraSan)});
  if (outcome.exit_code != 0) {
    return absl::InternalError(absl::StrCat("scripts/dev-certs.sh exited with ", outcome.exit_code,
                                            "\nstdout: ", outcome.out, "\nstderr: ", outcome.err));
  }
  return certs;
}

DevCerts::~DevCerts() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string DevCerts::Path(absl::string_view name) const { return absl::StrCat(dir_, "/", name); }

absl::StatusOr<std::unique_ptr<DevCerts>>* DevCertsTest::made_ = nullptr;

void DevCertsTest::SetUpTestSuite() {
  made_ = new absl::StatusOr<std::unique_ptr<DevCerts>>(DevCerts::Make());
}

void DevCertsTest::TearDownTestSuite() {
  delete made_;
  made_ = nullptr;
}

void DevCertsTest::SetUp() { ASSERT_TRUE(made_->ok()) << made_->status(); }

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::string& path, absl::string_view text) {
  std::ofstream(path, std::ios::trunc) << text;
}

}  // namespace bank::testing
