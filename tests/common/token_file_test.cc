#include "common/security/token_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/security/client_security.h"

namespace bank::security {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// sha256("abc"), FIPS 180-2's first example.
constexpr char kAbcSha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string Hex(const Sha256& digest) {
  std::string hex;
  for (const unsigned char byte : digest) absl::StrAppend(&hex, absl::Hex(byte, absl::kZeroPad2));
  return hex;
}

std::string DigestHex(const std::string& token) { return Hex(DigestOf(token)); }

// A file holding `text` in a directory of its own, removed at the end.
class TextFile {
 public:
  explicit TextFile(const std::string& text) {
    std::string pattern = ::testing::TempDir() + "/token_file_test.XXXXXX";
    dir_ = ::mkdtemp(pattern.data());
    path_ = dir_ + "/file";
    std::ofstream(path_) << text;
  }
  ~TextFile() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

TEST(TokenFileTest, DigestIsSha256) { EXPECT_EQ(DigestHex("abc"), kAbcSha256); }

TEST(TokenFileTest, ReadsCallersSkippingCommentsAndBlankLines) {
  const std::string text = absl::StrCat(
      "# callers of the bank\n"
      "\n"
      "teller write,subscribe ",
      DigestHex("t1"), "  # the branch\n", "  auditor\tread\t", DigestHex("t2"), "\r\n");
  absl::StatusOr<std::vector<Caller>> callers = ParseTokenFile(text, "tokens");
  ASSERT_TRUE(callers.ok()) << callers.status();
  ASSERT_EQ(callers->size(), 2u);
  EXPECT_EQ((*callers)[0].name, "teller");
  EXPECT_TRUE((*callers)[0].Has(Role::kWrite));
  EXPECT_TRUE((*callers)[0].Has(Role::kSubscribe));
  EXPECT_FALSE((*callers)[0].Has(Role::kRead));
  EXPECT_EQ((*callers)[0].token_sha256, DigestOf("t1"));
  EXPECT_EQ((*callers)[1].name, "auditor");
  EXPECT_TRUE((*callers)[1].Has(Role::kRead));
  EXPECT_FALSE((*callers)[1].Has(Role::kWrite));
}

TEST(TokenFileTest, AMalformedLineStopsNamingItsNumberAndNotItsFields) {
  const std::string good = absl::StrCat("teller write ", DigestHex("t1"), "\n");
  const std::string secret = "s3cret-token-pasted-by-mistake";
  const struct {
    std::string line;
    std::string says;
  } cases[] = {
      {absl::StrCat("clerk write\n"), "expected NAME ROLES SHA256"},
      {absl::StrCat("clerk write ", DigestHex("t2"), " extra\n"), "expected NAME ROLES SHA256"},
      {absl::StrCat("cl@rk write ", DigestHex("t2"), "\n"), "the name must be"},
      {absl::StrCat(std::string(65, 'a'), " write ", DigestHex("t2"), "\n"), "the name must be"},
      {absl::StrCat("clerk ", secret, " ", DigestHex("t2"), "\n"), "the roles must be"},
      {absl::StrCat("clerk write,admin ", DigestHex("t2"), "\n"), "the roles must be"},
      {absl::StrCat("clerk write, ", DigestHex("t2"), "\n"), "the roles must be"},
      {absl::StrCat("clerk write,,read ", DigestHex("t2"), "\n"), "the roles must be"},
      {absl::StrCat("clerk write ", secret, "\n"), "64 lowercase hex digits"},
      {"clerk write " + std::string(kAbcSha256).substr(1) + "\n", "64 lowercase hex digits"},
      {absl::StrCat("clerk write BA7816BF", std::string(kAbcSha256).substr(8), "\n"),
       "64 lowercase hex digits"},
      {absl::StrCat("teller read ", DigestHex("t2"), "\n"), "teller is already on line 2"},
      {absl::StrCat("clerk read ", DigestHex("t1"), "\n"), "the same token as line 2"},
  };
  for (const auto& [line, says] : cases) {
    const std::string text = absl::StrCat("# callers\n", good, line);
    absl::StatusOr<std::vector<Caller>> callers = ParseTokenFile(text, "/etc/bank/tokens");
    ASSERT_FALSE(callers.ok()) << line;
    EXPECT_EQ(callers.status().code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_THAT(std::string(callers.status().message()),
                HasSubstr("--auth_tokens=/etc/bank/tokens line 3: "))
        << line;
    EXPECT_THAT(std::string(callers.status().message()), HasSubstr(says)) << line;
    EXPECT_THAT(std::string(callers.status().message()), Not(HasSubstr(secret))) << line;
  }
}

TEST(TokenFileTest, AFileWithNoCallerIsRefused) {
  absl::StatusOr<std::vector<Caller>> callers = ParseTokenFile("# nobody yet\n\n", "tokens");
  EXPECT_EQ(callers.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(callers.status().message()), HasSubstr("names no caller"));
}

TEST(TokenFileTest, FilesAreReadOrRefusedNamingTheFlag) {
  TextFile file(absl::StrCat("teller write ", DigestHex("t1"), "\n"));
  absl::StatusOr<std::vector<Caller>> callers = ReadTokenFile(file.path());
  ASSERT_TRUE(callers.ok()) << callers.status();
  EXPECT_EQ(callers->size(), 1u);

  absl::StatusOr<std::vector<Caller>> missing = ReadTokenFile(file.path() + ".missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("--auth_tokens=" + file.path() + ".missing"));

  absl::StatusOr<std::vector<Caller>> directory = ReadTokenFile(::testing::TempDir());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(directory.status().message()), HasSubstr("a directory, not a file"));
}

TEST(ClientSecurityTest, ATokenFileHoldsOneTokenAndItsTrailingNewlineIsNotPartOfIt) {
  TextFile good("t1\n");
  ClientSecurityOptions options;
  options.token_file = good.path();
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Load(options);
  ASSERT_TRUE(security.ok()) << security.status();
  EXPECT_TRUE(security->has_token());

  for (const std::string text : {"", "\n", "two words\n", "tab\there\n"}) {
    TextFile bad(text);
    options.flag_prefix = "command_service_";
    options.token_file = bad.path();
    absl::StatusOr<ClientSecurity> refused = ClientSecurity::Load(options);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr("--command_service_token_file=" + bad.path()));
    EXPECT_THAT(std::string(refused.status().message()), Not(HasSubstr("words")));
  }
}

TEST(ClientSecurityTest, WithoutAnythingCallsArePlaintextWithNoToken) {
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Load({});
  ASSERT_TRUE(security.ok()) << security.status();
  EXPECT_FALSE(security->has_token());
}

}  // namespace
}  // namespace bank::security
