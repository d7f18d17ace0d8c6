// scripts/dev-certs.sh itself: every file it promises, keys only their owner
// can read, silence on success, and a refusal of a --san that is not a name.

#include "tests/support/dev_certs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "tests/support/subprocess.h"

namespace bank::security {
namespace {

using ::bank::testing::DevCertsTest;

constexpr const char* kScript = BANK_SOURCE_DIR "/scripts/dev-certs.sh";

class DevCertsScriptTest : public DevCertsTest {};

// The mode bits of `path`, or -1 when it does not exist.
int Mode(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

TEST_F(DevCertsScriptTest, MakesEveryFileAndKeysOnlyTheirOwnerCanRead) {
  for (const char* name : {"ca", "server", "client", "other-ca", "other-client"}) {
    EXPECT_EQ(Mode(certs().Path(std::string(name) + ".key")), 0600) << name;
    EXPECT_EQ(Mode(certs().Path(std::string(name) + ".pem")), 0644) << name;
  }
}

TEST_F(DevCertsScriptTest, MakesAMissingDirectoryAndPrintsNothing) {
  const std::string dir = certs().Path("made/by/the/script");
  const bank::testing::Outcome outcome = bank::testing::RunToCompletion(kScript, {dir});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "");
  EXPECT_EQ(Mode(dir + "/server.key"), 0600);
}

TEST_F(DevCertsScriptTest, RefusesASanThatIsNotADnsName) {
  const bank::testing::Outcome outcome =
      bank::testing::RunToCompletion(kScript, {certs().Path("refused"), "--san", "a,DNS:b"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("not a DNS name"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace bank::security
