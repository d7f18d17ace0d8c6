// common/security/pem_files: what refuses start-up, with which code, and that
// every message names the flag and the file. Files from scripts/dev-certs.sh.

#include "common/security/pem_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/dev_certs.h"
#include "tests/support/subprocess.h"

namespace bank::security {
namespace {

using ::bank::testing::DevCertsTest;
using ::bank::testing::ReadText;
using ::bank::testing::WriteText;
using ::testing::HasSubstr;

class PemFilesTest : public DevCertsTest {
 protected:
  static FlagFile Cert(absl::string_view name) { return {"tls_cert", certs().Path(name)}; }
  static FlagFile Key(absl::string_view name) { return {"tls_key", certs().Path(name)}; }

  // A file of the certificate directory made from `text`.
  static std::string Write(absl::string_view name, absl::string_view text) {
    WriteText(certs().Path(name), text);
    return std::string(name);
  }

  // `name`'s text with the first character of its third line (base64 inside
  // the PEM block) replaced by one base64 does not have.
  static std::string Corrupted(absl::string_view name) {
    std::string text = ReadText(certs().Path(name));
    const size_t third_line = text.find('\n', text.find('\n') + 1) + 1;
    text[third_line] = '#';
    return text;
  }
};

TEST_F(PemFilesTest, ReadsACertificateFileAsItIs) {
  absl::StatusOr<std::string> text = ReadCertificates(Cert("ca.pem"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, ReadText(certs().Path("ca.pem")));
}

TEST_F(PemFilesTest, ReadsAKeyPairAsItIs) {
  absl::StatusOr<PemKeyPair> pair = ReadKeyPair(Cert("server.pem"), Key("server.key"));
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->cert_chain, ReadText(certs().Path("server.pem")));
  EXPECT_EQ(pair->private_key, ReadText(certs().Path("server.key")));
}

TEST_F(PemFilesTest, AChainHoldsSeveralCertificatesAndTheFirstIsTheLeaf) {
  const std::string server = ReadText(certs().Path("server.pem"));
  const std::string ca = ReadText(certs().Path("ca.pem"));
  EXPECT_TRUE(ReadKeyPair(Cert(Write("chain.pem", server + ca)), Key("server.key")).ok());
  const absl::StatusOr<PemKeyPair> ca_first =
      ReadKeyPair(Cert(Write("ca_first.pem", ca + server)), Key("server.key"));
  EXPECT_EQ(ca_first.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PemFilesTest, ATraditionalEcKeyIsAcceptedLikeAPkcs8One) {
  const bank::testing::Outcome converted = bank::testing::RunToCompletion(
      "/usr/bin/env", {"openssl", "ec", "-in", certs().Path("server.key"), "-out",
                       certs().Path("traditional.key")});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  ASSERT_THAT(ReadText(certs().Path("traditional.key")), HasSubstr("BEGIN EC PRIVATE KEY"));
  EXPECT_TRUE(ReadKeyPair(Cert("server.pem"), Key("traditional.key")).ok());
}

TEST_F(PemFilesTest, AMissingFileIsNotFoundNamingFlagAndPath) {
  const absl::Status status = ReadCertificates(Cert("missing.pem")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            absl::StrCat("--tls_cert=", certs().Path("missing.pem"), ": no such file"));
}

TEST_F(PemFilesTest, AMissingKeyFileIsNotFoundNamingTheKeyFlag) {
  const absl::Status status = ReadKeyPair(Cert("server.pem"), Key("missing.key")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("--tls_key=", certs().Path("missing.key"))));
}

TEST_F(PemFilesTest, AnUnreadableFileIsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every file whatever its mode";
  const std::string path = certs().Path(Write("unreadable.pem", "x"));
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  const absl::Status status = ReadCertificates(Cert("unreadable.pem")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("--tls_cert=", path)));
}

TEST_F(PemFilesTest, ADirectoryIsInvalidArgument) {
  std::filesystem::create_directory(certs().Path("a_directory.pem"));
  const absl::Status status = ReadCertificates(Cert("a_directory.pem")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("a_directory.pem: a directory"));
}

TEST_F(PemFilesTest, AFileLargerThanAnyPemFileIsInvalidArgument) {
  const std::string server = ReadText(certs().Path("server.pem"));
  std::string huge;
  while (huge.size() <= (1 << 20)) huge += server;
  const absl::Status status = ReadCertificates(Cert(Write("huge.pem", huge))).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("huge.pem: larger than"));
}

TEST_F(PemFilesTest, AFileWithoutACertificateIsInvalidArgumentSayingWhatWasExpected) {
  const std::vector<std::string> names = {"server.key", Write("empty.pem", ""),
                                          Write("text.pem", "not PEM\n")};
  for (const std::string& name : names) {
    const absl::Status status = ReadCertificates(Cert(name)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(status.message(),
              absl::StrCat("--tls_cert=", certs().Path(name),
                           ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)"));
  }
}

TEST_F(PemFilesTest, AMalformedCertificateIsInvalidArgumentWithOpenSslsReason) {
  const std::string ca = ReadText(certs().Path("ca.pem"));
  const std::string name = Write("bad_second.pem", ca + Corrupted("server.pem"));
  const absl::Status status = ReadCertificates(Cert(name)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("--tls_cert=", certs().Path(name),
                                           ": PEM certificate 2 in it is malformed "
                                           "(bad base64 decode)"));
}

TEST_F(PemFilesTest, AKeyFileWithoutAKeyIsInvalidArgumentSayingWhatWasExpected) {
  const absl::Status status = ReadKeyPair(Cert("server.pem"), Key("server.pem")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            absl::StrCat("--tls_key=", certs().Path("server.pem"),
                         ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)"));
}

TEST_F(PemFilesTest, AMalformedKeyIsInvalidArgumentSayingWhatIsWrong) {
  const std::string bad_base64 = Write("bad_base64.key", Corrupted("server.key"));
  const absl::Status status = ReadKeyPair(Cert("server.pem"), Key(bad_base64)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("--tls_key=", certs().Path(bad_base64),
                                           ": a malformed PEM block (bad base64 decode)"));

  const std::string not_a_key =
      Write("not_a_key.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  const absl::Status not_a_key_status = ReadKeyPair(Cert("server.pem"), Key(not_a_key)).status();
  EXPECT_EQ(not_a_key_status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(not_a_key_status.message(),
            absl::StrCat("--tls_key=", certs().Path(not_a_key),
                         ": its -----BEGIN PRIVATE KEY----- block is not a valid private key"));
}

TEST_F(PemFilesTest, AnEncryptedKeyIsRefusedWithoutAskingForAPassword) {
  const bank::testing::Outcome encrypted = bank::testing::RunToCompletion(
      "/usr/bin/env", {"openssl", "pkey", "-in", certs().Path("server.key"), "-aes256", "-passout",
                       "pass:secret", "-out", certs().Path("encrypted.key")});
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.err;
  const absl::Status status = ReadKeyPair(Cert("server.pem"), Key("encrypted.key")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("--tls_key=", certs().Path("encrypted.key"),
                                                       ": the private key is encrypted")));
}

TEST_F(PemFilesTest, AKeyOfAnotherCertificateIsInvalidArgumentNamingBothFiles) {
  const absl::Status status = ReadKeyPair(Cert("server.pem"), Key("other-client.key")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("--tls_key=", certs().Path("other-client.key"),
                                           " is not the private key of --tls_cert=",
                                           certs().Path("server.pem"), " (its first certificate)"));
}

TEST_F(PemFilesTest, FailuresLeaveOpenSslsErrorQueueEmpty) {
  ERR_clear_error();
  EXPECT_FALSE(ReadKeyPair(Cert("server.pem"), Key("other-client.key")).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(ReadKeyPair(Cert("server.pem"), Key("server.pem")).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(ReadCertificates(Cert(Write("bad.pem", Corrupted("ca.pem")))).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace bank::security
