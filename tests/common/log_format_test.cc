#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/observability/json_log_formatter.h"
#include "common/observability/log_fields.h"

namespace bank::log {
namespace {

// Routes the default logger into a string for one test, in one format.
class CapturedLog {
 public:
  explicit CapturedLog(bool json) : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    if (json) {
      logger->set_formatter(std::make_unique<JsonLogFormatter>());
    } else {
      logger->set_pattern("%v");
    }
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    SetFieldsAsJson(json);
  }
  ~CapturedLog() {
    spdlog::set_default_logger(previous_);
    SetFieldsAsJson(false);
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

google::protobuf::Struct ParseJson(const std::string& line) {
  google::protobuf::Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(line, &object);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString() << ": " << line;
  return object;
}

TEST(JsonLogFormatterTest, EachLineIsOneObjectWithTimeLevelMessageAndTheFields) {
  CapturedLog log(/*json=*/true);
  Write(spdlog::level::debug, "answered", {{"account", "acc-1"}, {"position", uint64_t{42}}});
  const std::string text = log.text();
  ASSERT_EQ(text.back(), '\n');
  ASSERT_EQ(text.find('\n'), text.size() - 1) << text;
  const google::protobuf::Struct line = ParseJson(text);
  const auto& fields = line.fields();
  EXPECT_EQ(fields.at("level").string_value(), "debug");
  EXPECT_EQ(fields.at("msg").string_value(), "answered");
  EXPECT_EQ(fields.at("account").string_value(), "acc-1");
  EXPECT_EQ(fields.at("position").number_value(), 42);  // a number, not a string
  // RFC 3339 in UTC with microseconds: 2026-12-06T03:04:05.123456Z
  const std::string& ts = fields.at("ts").string_value();
  absl::Time parsed;
  std::string error;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E6SZ", ts, &parsed, &error)) << ts << ": " << error;
  EXPECT_LT(absl::AbsDuration(absl::Now() - parsed), absl::Hours(1)) << ts;
}

TEST(JsonLogFormatterTest, PlainLinesAndAwkwardTextStayOneValidObject) {
  CapturedLog log(/*json=*/true);
  const std::string awkward = "quote \" backslash \\ newline \n tab \t bell \x07 end";
  spdlog::warn("{}", awkward);
  Write(spdlog::level::info, "with a field", {{"error", awkward}});
  const std::string text = log.text();
  const size_t first_end = text.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  ASSERT_EQ(text.find('\n', first_end + 1), text.size() - 1) << "two lines, no more:\n" << text;
  const google::protobuf::Struct plain = ParseJson(text.substr(0, first_end));
  EXPECT_EQ(plain.fields().at("level").string_value(), "warning");
  EXPECT_EQ(plain.fields().at("msg").string_value(), awkward);
  EXPECT_EQ(plain.fields().size(), 3u);  // ts, level, msg: no fields of another line
  const google::protobuf::Struct with_field = ParseJson(text.substr(first_end + 1));
  EXPECT_EQ(with_field.fields().at("error").string_value(), awkward);
}

TEST(JsonLogFormatterTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  CapturedLog log(/*json=*/true);
  // A stray continuation byte, a truncated sequence, an overlong '/', a
  // surrogate; then well-formed two-, three- and four-byte characters.
  Write(spdlog::level::info,
        "bad \x80 \xe2\x82 \xc0\xaf \xed\xa0\x80 good \xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb6",
        {{"account", "\xff"}});
  const google::protobuf::Struct line = ParseJson(log.text());
  EXPECT_EQ(
      line.fields().at("msg").string_value(),
      "bad \ufffd \ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd good \u00e9 \u20ac \U0001f4b6");
  EXPECT_EQ(line.fields().at("account").string_value(), "\ufffd");
}

TEST(LogFieldsTest, TextLinesCarryTheFieldsAfterTheMessage) {
  CapturedLog log(/*json=*/false);
  Write(spdlog::level::info, "answered",
        {{"rpc", "Deposit"}, {"position", uint64_t{7}}, {"error", "two words"}, {"empty", ""}});
  EXPECT_EQ(log.text(), "answered rpc=Deposit position=7 error=\"two words\" empty=\"\"\n");
}

TEST(LogFieldsTest, NothingIsFormattedBelowTheLevel) {
  CapturedLog log(/*json=*/true);
  Write(spdlog::level::trace, "hidden", {{"a", "b"}});
  EXPECT_EQ(log.text(), "");
}

}  // namespace
}  // namespace bank::log
