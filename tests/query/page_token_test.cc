#include "query-service/page_token.h"

#include <gtest/gtest.h>

namespace bank::query {
namespace {

TEST(PageSizeTest, ZeroMeansDefaultLargeIsClampedNegativeIsInvalid) {
  EXPECT_EQ(*EffectivePageSize(0), 100);
  EXPECT_EQ(*EffectivePageSize(1), 1);
  EXPECT_EQ(*EffectivePageSize(1000), 1000);
  EXPECT_EQ(*EffectivePageSize(1001), 1000);
  EXPECT_EQ(*EffectivePageSize(INT32_MAX), 1000);
  EXPECT_EQ(EffectivePageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, AccountsTokenRoundTrips) {
  const std::string token = EncodeAccountsToken("alice:1");
  EXPECT_EQ(*DecodeAccountsToken(token), "alice:1");
}

TEST(PageTokenTest, HistoryTokenRoundTripsForItsAccountOnly) {
  const std::string token = EncodeHistoryToken("alice", 41);
  EXPECT_EQ(*DecodeHistoryToken(token, "alice"), 41u);
  EXPECT_EQ(DecodeHistoryToken(token, "bob").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, GarbageTamperedAndForeignTokensAreInvalid) {
  const std::string accounts = EncodeAccountsToken("alice");
  std::string tampered = accounts;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string("garbage!"), std::string("AAAA"), tampered, EncodeHistoryToken("alice", 1)}) {
    EXPECT_EQ(DecodeAccountsToken(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(DecodeHistoryToken(accounts, "alice").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bank::query
