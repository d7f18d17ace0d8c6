#include "command-service/write_side.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

TEST(WriteSideTest, StoreFlagNamesTheFileLogOrIsRefusedWithoutEchoingASecret) {
  ASSERT_EQ(ParseStoreFlag("file")->kind, StoreChoice::Kind::kFile);
  absl::StatusOr<StoreChoice> refused = ParseStoreFlag("mysql://bank:hunter2@db/bank");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("\"mysql\""), absl::string_view::npos)
      << refused.status();
  EXPECT_EQ(refused.status().message().find("hunter2"), absl::string_view::npos);
}

TEST(WriteSideTest, StoreFlagTakesAPostgresUriWithSeveralHosts) {
  for (const char* uri :
       {"postgresql://bank@db1:5432,db2:5432/bank?target_session_attrs=read-write",
        "postgres://localhost/bank"}) {
    absl::StatusOr<StoreChoice> choice = ParseStoreFlag(uri);
    ASSERT_TRUE(choice.ok()) << choice.status();
    EXPECT_EQ(choice->kind, StoreChoice::Kind::kPostgres);
    EXPECT_EQ(choice->uri, uri);
  }
}

TEST(WriteSideTest, AMalformedPostgresUriIsRefusedNamingTheProblemWithThePasswordMasked) {
  absl::StatusOr<StoreChoice> refused =
      ParseStoreFlag("postgresql://bank:hunter2@db1:notaport/bank");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::AllOf(::testing::HasSubstr("postgresql://bank:****@db1:notaport/bank"),
                               ::testing::HasSubstr("port"),
                               ::testing::Not(::testing::HasSubstr("hunter2"))));
  for (const char* malformed : {"postgresql://db1/bank?password=hunter2&sslmode=sometimes",
                                "postgresql://db1/bank?password=hunter2&no_such_setting=1",
                                "postgresql://bank:hunter2@db1/bank?target_session_attrs=rw",
                                "postgresql://bank:hunter2@[::1/bank"}) {
    absl::StatusOr<StoreChoice> bad = ParseStoreFlag(malformed);
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << malformed;
    EXPECT_THAT(std::string(bad.status().message()),
                ::testing::Not(::testing::HasSubstr("hunter2")));
  }
}

TEST(WriteSideTest, TheFileLogOpensWithAHandlerOnItAndHoldsItsDirectory) {
  const std::string dir = testing::FreshDir("write_side");
  WriteSideOptions options;
  options.data_dir = dir;
  absl::StatusOr<WriteSide> side = OpenWriteSide(options);
  ASSERT_TRUE(side.ok()) << side.status();
  ASSERT_NE(side->handler, nullptr);
  EXPECT_TRUE(side->store->health().ok());
  EXPECT_FALSE(OpenWriteSide(options).ok());  // the directory is held
}

}  // namespace
}  // namespace bank::command
