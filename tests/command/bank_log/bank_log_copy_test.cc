// bank-log copy: the real program copies a file log (the golden one) into an
// empty PostgreSQL store on the test server, which the store then reads back
// exactly as the file log does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "command-service/store/postgres/postgres_event_store.h"
#include "tests/command/log_test_util.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_postgres.h"

namespace bank::bank_log {
namespace {

using ::bank::testing::Outcome;
using ::testing::HasSubstr;

std::string GoldenCopy(const std::string& name, const std::string& golden = "golden-v1") {
  const std::string dir = ::bank::testing::FreshDir(name);
  std::filesystem::copy(BANK_SOURCE_DIR "/tests/data/" + golden, dir);
  return dir;
}

std::vector<bank::v1::Event> ReadAll(const EventStore& store) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(store.ReadAfter(0, 1000, &events).ok());
  return events;
}

class BankLogCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> uri = ::bank::testing::TestPostgresUri();
    if (!uri.has_value()) GTEST_SKIP() << "BANK_TEST_POSTGRES_URI is not set";
    uri_ = *uri;
    schema_ = ::bank::testing::FreshSchemaName("copy");
  }
  void TearDown() override {
    if (!schema_.empty()) {
      EXPECT_TRUE(::bank::testing::DropSchema(schema_).ok());
    }
  }
  Outcome Copy(const std::string& from) {
    return ::bank::testing::RunToCompletion(
        ::bank::testing::ProgramPath("bank-log"),
        {"copy", "--from=" + from, "--to=" + uri_, "--store_schema=" + schema_});
  }

  std::string uri_;
  std::string schema_;
};

TEST_F(BankLogCopyTest, EveryEventArrivesWithItsPositionVersionCommandIdAndRecordedAt) {
  const std::string dir = GoldenCopy("bank_log_copy");
  const Outcome copied = Copy(dir);
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_THAT(copied.out, HasSubstr("copied 17 events"));

  auto file_log = ::bank::testing::OpenLog(GoldenCopy("bank_log_copy_reference"));
  ASSERT_TRUE(file_log.ok()) << file_log.status();
  auto store = store::postgres::PostgresEventStore::Open({.uri = uri_, .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->durable_head(), 17u);
  const std::vector<bank::v1::Event> expected = ReadAll(**file_log);
  const std::vector<bank::v1::Event> got = ReadAll(**store);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].SerializeAsString(), expected[i].SerializeAsString()) << "position " << i + 1;
  }
  // The table's statistics are gathered (ANALYZE sets its row count; a
  // table never analyzed has -1): reads are planned on what it holds.
  auto admin = ::bank::testing::AdminConnection();
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto rows = (*admin)->ExecuteSql(
      "SELECT c.reltuples::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = '" +
      schema_ + "' AND c.relname = 'events'");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_STREQ(PQgetvalue(rows->get(), 0, 0), "17");
  // The command ids are the store's own: a retry finds its event.
  for (const bank::v1::Event& event : expected) {
    if (event.command_id().empty()) continue;
    std::vector<bank::v1::Event> group;
    ASSERT_TRUE((*store)->ReadCommand(event.command_id(), &group).ok());
    ASSERT_EQ(group.size(), 1u);
    EXPECT_EQ(group[0].position(), event.position());
  }
}

// A transfer's two events stay one group in the store: read whole, found
// whole by their command id.
TEST_F(BankLogCopyTest, ATransfersTwoEventsArriveAsOneGroup) {
  const Outcome copied = Copy(GoldenCopy("bank_log_copy_v2", "golden-v2"));
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_THAT(copied.out, HasSubstr("copied 12 events"));
  auto store = store::postgres::PostgresEventStore::Open({.uri = uri_, .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<bank::v1::Event> events;
  ASSERT_TRUE((*store)->ReadAfter(2, 1, &events).ok());
  ASSERT_EQ(events.size(), 2u) << "a read never splits a group";
  EXPECT_TRUE(events[0].has_transferred_out());
  EXPECT_TRUE(events[1].has_transferred_in());
  std::vector<bank::v1::Event> group;
  ASSERT_TRUE((*store)->ReadCommand("v2-3", &group).ok());
  ASSERT_EQ(group.size(), 2u);
  EXPECT_EQ(group[0].position(), 3u);
  EXPECT_EQ(group[1].position(), 4u);
}

TEST_F(BankLogCopyTest, AStoreThatIsNotEmptyIsRefusedAndKeepsWhatItHad) {
  ASSERT_EQ(Copy(GoldenCopy("bank_log_copy_first")).exit_code, 0);
  const Outcome again = Copy(GoldenCopy("bank_log_copy_again"));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("is not empty (its head is at position 17)"));
  auto store = store::postgres::PostgresEventStore::Open({.uri = uri_, .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(ReadAll(**store).size(), 17u);
}

TEST_F(BankLogCopyTest, ADamagedLogIsNotCopiedAtAll) {
  const std::string dir = GoldenCopy("bank_log_copy_damaged");
  // A flipped byte inside the first segment's first record.
  std::string first = ::bank::testing::ReadFile(dir + "/00000000000000000001.log");
  first[first.size() / 2] ^= 0x20;
  ::bank::testing::WriteFile(dir + "/00000000000000000001.log", first);
  const Outcome copied = Copy(dir);
  EXPECT_EQ(copied.exit_code, 1) << copied.out;
  EXPECT_THAT(copied.err, HasSubstr("nothing was copied"));
  auto store = store::postgres::PostgresEventStore::Open({.uri = uri_, .schema = schema_});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->durable_head(), 0u);
}

TEST_F(BankLogCopyTest, CopyWithoutFromOrToIsAUsageError) {
  const Outcome missing =
      ::bank::testing::RunToCompletion(::bank::testing::ProgramPath("bank-log"), {"copy"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("usage: bank-log copy --from=DATA_DIR --to=URI"));
  schema_.clear();
}

}  // namespace
}  // namespace bank::bank_log
