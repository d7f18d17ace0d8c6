#include "common/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace bank {
namespace {

TEST(JsonObjectTest, KeepsKeyOrderAndWritesIntegersAsNumbers) {
  EXPECT_EQ(JsonObject()
                .Add("s", "x")
                .Add("i", int64_t{-3})
                .Add("u", std::numeric_limits<uint64_t>::max())
                .Add("b", false)
                .AddNull("n")
                .Build(),
            R"({"s":"x","i":-3,"u":18446744073709551615,"b":false,"n":null})");
  EXPECT_EQ(JsonObject().Build(), "{}");
}

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlBytes) {
  EXPECT_EQ(JsonQuote("plain"), R"("plain")");
  EXPECT_EQ(JsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonQuote("l1\nl2\t\r"), R"("l1\nl2\t\r")");
  EXPECT_EQ(JsonQuote(absl::string_view("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

}  // namespace
}  // namespace bank
