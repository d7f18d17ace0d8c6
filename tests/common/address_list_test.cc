#include "common/address_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bank {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The status message of a list that must be refused.
std::string Refusal(absl::string_view list) {
  absl::StatusOr<std::vector<std::string>> parsed = ParseAddressList(list);
  EXPECT_FALSE(parsed.ok()) << list;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << list;
  return std::string(parsed.status().message());
}

TEST(ParseAddressListTest, OneAddressIsAListOfOne) {
  EXPECT_THAT(*ParseAddressList("127.0.0.1:50051"), ElementsAre("127.0.0.1:50051"));
}

TEST(ParseAddressListTest, ReplicasKeepTheirOrder) {
  EXPECT_THAT(*ParseAddressList("127.0.0.1:50061,localhost:50051,[::1]:1"),
              ElementsAre("127.0.0.1:50061", "localhost:50051", "[::1]:1"));
}

TEST(ParseAddressListTest, DuplicatesAreKept) {
  EXPECT_THAT(*ParseAddressList("a:1,a:1"), ElementsAre("a:1", "a:1"));
}

TEST(ParseAddressListTest, PortBoundsAreAccepted) {
  EXPECT_TRUE(ParseAddressList("h:1").ok());
  EXPECT_TRUE(ParseAddressList("h:65535").ok());
}

TEST(ParseAddressListTest, EmptyListIsRefused) {
  EXPECT_THAT(Refusal(""), HasSubstr("the address list is empty"));
}

TEST(ParseAddressListTest, EmptyItemIsRefusedWithItsPlace) {
  EXPECT_THAT(Refusal("a:1,,b:2"), HasSubstr("address 2 is empty"));
  EXPECT_THAT(Refusal("a:1,"), HasSubstr("address 2 is empty"));
  EXPECT_THAT(Refusal(",a:1"), HasSubstr("address 1 is empty"));
  EXPECT_THAT(Refusal(","), HasSubstr("address 1 is empty"));
}

TEST(ParseAddressListTest, WhitespaceIsRefused) {
  EXPECT_THAT(Refusal("a:1, b:2"), HasSubstr("contains whitespace"));
  EXPECT_THAT(Refusal(" a:1"), HasSubstr("contains whitespace"));
  EXPECT_THAT(Refusal("a:1\t"), HasSubstr("contains whitespace"));
  EXPECT_THAT(Refusal("a:1\n"), HasSubstr("contains whitespace"));
}

TEST(ParseAddressListTest, MissingPortIsRefused) {
  EXPECT_THAT(Refusal("a:1,localhost"), HasSubstr("address 2 (\"localhost\") has no port"));
  EXPECT_THAT(Refusal("localhost:"), HasSubstr("address 1 (\"localhost:\") has no port"));
  EXPECT_THAT(Refusal("[::1]"), HasSubstr("has no port"));
}

TEST(ParseAddressListTest, MissingHostIsRefused) {
  EXPECT_THAT(Refusal(":50051"), HasSubstr("address 1 (\":50051\") has no host"));
  EXPECT_THAT(Refusal("[]:50051"), HasSubstr("has no host"));
}

TEST(ParseAddressListTest, PortOutsideOneTo65535IsRefused) {
  EXPECT_THAT(Refusal("h:0"),
              HasSubstr("address 1 (\"h:0\"): port \"0\" is not a number in 1..65535"));
  EXPECT_THAT(Refusal("h:65536"), HasSubstr("port \"65536\" is not a number in 1..65535"));
  EXPECT_THAT(Refusal("h:99999999999"), HasSubstr("is not a number in 1..65535"));
  EXPECT_THAT(Refusal("h:-1"), HasSubstr("port \"-1\""));
  EXPECT_THAT(Refusal("h:+80"), HasSubstr("port \"+80\""));
  EXPECT_THAT(Refusal("h:80x"), HasSubstr("port \"80x\""));
  EXPECT_THAT(Refusal("a:1,h:http"), HasSubstr("address 2 (\"h:http\"): port \"http\""));
}

TEST(ParseAddressListTest, UnbracketedIpv6IsRefusedAsAmbiguous) {
  EXPECT_THAT(Refusal("::1:50051"), HasSubstr("write an IPv6 host in brackets"));
}

TEST(ParseAddressListTest, StrayOrUnclosedBracketIsRefused) {
  EXPECT_THAT(Refusal("a]:1"), HasSubstr("has a stray bracket"));
  EXPECT_THAT(Refusal("[[::1]:1"), HasSubstr("has a stray bracket"));
  EXPECT_THAT(Refusal("[::1:1"), HasSubstr("opens '[' but never closes it"));
  EXPECT_THAT(Refusal("[::1]50051"), HasSubstr("has no ':' between HOST and PORT"));
}

}  // namespace
}  // namespace bank
