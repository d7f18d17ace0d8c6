#include "tools/bankctl/flag_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::string, test_address, "default", "a string flag for the test");
ABSL_FLAG(bool, test_json, false, "a bool flag for the test");
ABSL_FLAG(absl::Duration, test_timeout, absl::Seconds(10), "a duration flag for the test");
ABSL_FLAG(std::optional<uint64_t>, test_version, std::nullopt, "an optional flag for the test");

namespace bank::bankctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ApplyLeadingFlagsTest : public ::testing::Test {
 protected:
  // Each test starts from the defaults. (absl::FlagSaver would too, but logs
  // every restored flag.)
  void SetUp() override {
    absl::SetFlag(&FLAGS_test_address, "default");
    absl::SetFlag(&FLAGS_test_json, false);
    absl::SetFlag(&FLAGS_test_timeout, absl::Seconds(10));
    absl::SetFlag(&FLAGS_test_version, std::nullopt);
  }
};

absl::StatusOr<LeadingFlags> Apply(std::vector<std::string> args) {
  return ApplyLeadingFlags(args);
}

TEST_F(ApplyLeadingFlagsTest, SetsFlagsAndReturnsTheRest) {
  absl::StatusOr<LeadingFlags> result =
      Apply({"--test_address=h:1", "--test_json", "--test_timeout", "250ms", "deposit", "a", "5"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->help_requested);
  EXPECT_THAT(result->rest, ElementsAre("deposit", "a", "5"));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_address), "h:1");
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_json));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_timeout), absl::Milliseconds(250));
}

TEST_F(ApplyLeadingFlagsTest, OptionalFlagStaysUnsetUnlessGiven) {
  ASSERT_TRUE(Apply({"balance", "a"}).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_version), std::nullopt);
  ASSERT_TRUE(Apply({"--test_version=0", "deposit", "a", "1"}).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_version), std::optional<uint64_t>(0));
}

TEST_F(ApplyLeadingFlagsTest, FlagsStopAtTheSubcommandSoNegativeAmountsPass) {
  absl::StatusOr<LeadingFlags> result = Apply({"-test_json", "withdraw", "a", "-5", "--x"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->rest, ElementsAre("withdraw", "a", "-5", "--x"));
}

TEST_F(ApplyLeadingFlagsTest, DoubleDashEndsTheFlags) {
  absl::StatusOr<LeadingFlags> result = Apply({"--test_json", "--", "-odd"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->rest, ElementsAre("-odd"));
}

TEST_F(ApplyLeadingFlagsTest, NoPrefixTurnsABoolOff) {
  ASSERT_TRUE(Apply({"--test_json", "--notest_json", "accounts"}).ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_json));
}

TEST_F(ApplyLeadingFlagsTest, HelpIsReportedNotApplied) {
  for (const char* help : {"--help", "-h", "--helpfull", "-help"}) {
    absl::StatusOr<LeadingFlags> result = Apply({"--test_json", help, "accounts"});
    ASSERT_TRUE(result.ok()) << help;
    EXPECT_TRUE(result->help_requested) << help;
  }
}

TEST_F(ApplyLeadingFlagsTest, BadFlagsAreInvalidArgument) {
  absl::StatusOr<LeadingFlags> unknown = Apply({"--no_such_flag=1", "accounts"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown flag --no_such_flag"));

  absl::StatusOr<LeadingFlags> bad_value = Apply({"--test_timeout=soon", "accounts"});
  EXPECT_EQ(bad_value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_value.status().message(), HasSubstr("--test_timeout"));

  absl::StatusOr<LeadingFlags> missing = Apply({"--test_address"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("needs a value"));

  EXPECT_EQ(Apply({"--test_version=-1", "accounts"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bank::bankctl
