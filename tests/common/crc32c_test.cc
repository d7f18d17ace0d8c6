#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace bank {
namespace {

// The check values of RFC 3720, appendix B.4.
TEST(Crc32cTest, MatchesRfc3720Vectors) {
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32c(descending), 0x113fdb5cu);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, HardwareAndTableAgreeOnEveryLengthAndAlignment) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  for (size_t start = 0; start < 8; ++start) {
    for (size_t length = 0; start + length <= data.size(); length += 13) {
      std::string_view slice(data.data() + start, length);
      EXPECT_EQ(Crc32cExtend(0, slice), Crc32cExtendPortable(0, slice));
    }
  }
}

TEST(Crc32cTest, ExtendContinuesAChecksum) {
  const std::string data = "hello, event log";
  EXPECT_EQ(Crc32cExtend(Crc32c(data.substr(0, 5)), data.substr(5)), Crc32c(data));
}

}  // namespace
}  // namespace bank
