#include "command-service/write_side.h"

#include <gtest/gtest.h>

#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

TEST(WriteSideTest, StoreFlagNamesTheFileLogOrIsRefusedWithoutEchoingASecret) {
  ASSERT_TRUE(ParseStoreFlag("file").ok());
  absl::StatusOr<StoreChoice> refused = ParseStoreFlag("mysql://bank:hunter2@db/bank");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("\"mysql\""), absl::string_view::npos)
      << refused.status();
  EXPECT_EQ(refused.status().message().find("hunter2"), absl::string_view::npos);
}

TEST(WriteSideTest, TheFileLogOpensWithAHandlerOnItAndHoldsItsDirectory) {
  const std::string dir = testing::FreshDir("write_side");
  absl::StatusOr<WriteSide> side = OpenWriteSide({.store = {}, .data_dir = dir});
  ASSERT_TRUE(side.ok()) << side.status();
  ASSERT_NE(side->handler, nullptr);
  EXPECT_TRUE(side->store->health().ok());
  EXPECT_FALSE(OpenWriteSide({.store = {}, .data_dir = dir}).ok());  // the directory is held
}

}  // namespace
}  // namespace bank::command
