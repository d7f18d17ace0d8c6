// A server's listening address: the same HOST:PORT rules as a client's list
// (address_list_test.cc holds those cases), with port 0 for "any free one".

#include "common/host_port.h"

#include <gtest/gtest.h>

#include <string>

namespace bank {
namespace {

std::string ListenRefusal(absl::string_view value) {
  absl::StatusOr<HostPort> parsed = ParseListenAddress("--listen", value);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << value;
  return std::string(parsed.status().message());
}

TEST(ParseListenAddressTest, SplitsHostAndPortAndTakesPortZero) {
  absl::StatusOr<HostPort> any = ParseListenAddress("--listen", "127.0.0.1:0");
  ASSERT_TRUE(any.ok()) << any.status();
  EXPECT_EQ(any->host, "127.0.0.1");
  EXPECT_EQ(any->port, 0u);
  absl::StatusOr<HostPort> v6 = ParseListenAddress("--listen", "[::]:50051");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "[::]");
  EXPECT_EQ(v6->port, 50051u);
}

TEST(ParseListenAddressTest, EachRefusalNamesTheFlagAndWhatIsWrong) {
  EXPECT_EQ(ListenRefusal("localhost"), "--listen=localhost has no port; expected HOST:PORT");
  EXPECT_EQ(ListenRefusal(":50051"), "--listen=:50051 has no host; expected HOST:PORT");
  EXPECT_EQ(ListenRefusal(""), "--listen= has no host; expected HOST:PORT");
  EXPECT_EQ(ListenRefusal("h:65536"),
            "--listen=h:65536: port \"65536\" is not a number in 0..65535");
  EXPECT_EQ(ListenRefusal("h:http"), "--listen=h:http: port \"http\" is not a number in 0..65535");
  EXPECT_EQ(ListenRefusal("::1:50051"),
            "--listen=::1:50051 is ambiguous; write an IPv6 host in brackets, as [::1]:50051");
}

TEST(ParseHostPortTest, AClientsPortStartsAtOne) {
  EXPECT_EQ(ParseHostPort("the address", "h:0").status().message(),
            "the address: port \"0\" is not a number in 1..65535");
  EXPECT_TRUE(ParseHostPort("the address", "h:1").ok());
}

}  // namespace
}  // namespace bank
