// Varints (common/varint.h): every value has exactly one encoding, and
// nothing else decodes.

#include "common/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace bank {
namespace {

std::string Encoded(uint64_t value) {
  std::string bytes;
  PutVarint(&bytes, value);
  return bytes;
}

TEST(VarintTest, ValuesComeBackAndTakeTheirShortestForm) {
  const struct {
    uint64_t value;
    std::string bytes;
  } cases[] = {
      {0, std::string(1, '\0')},
      {1, "\x01"},
      {127, "\x7f"},
      {128, "\x80\x01"},
      {300, "\xac\x02"},
      {std::numeric_limits<uint64_t>::max(), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Encoded(c.value), c.bytes) << c.value;
    absl::string_view rest = c.bytes;
    uint64_t decoded = 0;
    ASSERT_TRUE(GetVarint(&rest, &decoded)) << c.value;
    EXPECT_EQ(decoded, c.value);
    EXPECT_TRUE(rest.empty());
  }
  for (int shift = 0; shift < 64; ++shift) {
    for (uint64_t value : {(uint64_t{1} << shift) - 1, uint64_t{1} << shift}) {
      const std::string bytes = Encoded(value) + "tail";
      absl::string_view rest = bytes;
      uint64_t decoded = 0;
      ASSERT_TRUE(GetVarint(&rest, &decoded)) << value;
      EXPECT_EQ(decoded, value);
      EXPECT_EQ(rest, "tail") << "only the varint is consumed";
    }
  }
}

TEST(VarintTest, CutShortPaddedOrPast64BitsIsRefusedAndConsumesNothing) {
  const std::string refused[] = {
      "",                                              // nothing
      "\x80",                                          // ends inside
      "\xff\xff",                                      // ends inside
      std::string("\x80\x00", 2),                      // zero padded: 0 is one byte
      std::string("\xac\x82\x00", 3),                  // 300, padded
      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",      // 2^64
      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01",  // eleven bytes
  };
  for (const std::string& bytes : refused) {
    absl::string_view rest = bytes;
    uint64_t value = 42;
    EXPECT_FALSE(GetVarint(&rest, &value)) << testing::PrintToString(bytes);
    EXPECT_EQ(rest.size(), bytes.size());
    EXPECT_EQ(value, 42u);
  }
}

}  // namespace
}  // namespace bank
