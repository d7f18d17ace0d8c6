// CONTRACT.md "Observability" on the real programs: what a scrape of each
// service's --metrics_listen says after a known sequence of calls, and what
// --log_format=json writes from start-up to shutdown.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"
#include "tests/e2e/security_setup.h"
#include "tests/support/dev_certs.h"
#include "tests/support/http_get.h"
#include "tests/support/metrics_samples.h"

namespace bank::testing {
namespace {

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kQueryTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr char kQueryTraceId[] = "0af7651916cd43dd8448eb211c80319c";

class ObservabilityE2eTest : public DevCertsTest {
 protected:
  void SetUp() override {
    DevCertsTest::SetUp();
    dir_ = absl::StrCat(::testing::TempDir(), "/observability_e2e.", getpid(), ".",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // One scrape of `address`, checked by promtool, as samples.
  static std::map<std::string, double> Scrape(const std::string& address) {
    absl::StatusOr<std::string> exposition = HttpGet(address, "/metrics");
    EXPECT_TRUE(exposition.ok()) << exposition.status();
    if (!exposition.ok()) return {};
    const absl::Status checked = PromtoolCheck(*exposition);
    EXPECT_TRUE(checked.ok()) << checked << "\n" << *exposition;
    absl::StatusOr<std::map<std::string, double>> samples = ParseSamples(*exposition);
    EXPECT_TRUE(samples.ok()) << samples.status();
    return samples.ok() ? *samples : std::map<std::string, double>{};
  }

  std::string dir_;
};

TEST_F(ObservabilityE2eTest, ScrapesCountExactlyTheCallsEachServiceAnswered) {
  RunningService command("command-service",
                         {"--data_dir=" + dir_ + "/command", "--metrics_listen=127.0.0.1:0"});
  const std::string command_metrics = command.process().WaitForMetricsAddress();
  ASSERT_FALSE(command_metrics.empty()) << command.process().Stderr();
  RunningService query("query-service",
                       {"--data_dir=" + dir_ + "/query", "--command_service=" + command.address(),
                        "--metrics_listen=127.0.0.1:0"});
  const std::string query_metrics = query.process().WaitForMetricsAddress();
  ASSERT_FALSE(query_metrics.empty()) << query.process().Stderr();

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Deposit(command.channel(), "", "acc", 10).ok());
  EXPECT_EQ(Withdraw(command.channel(), "", "acc", 1000).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(GetBalance(query.channel(), "", "acc", /*min_position=*/3).ok());
  EXPECT_EQ(GetBalance(query.channel(), "", "nobody", 0).error_code(), grpc::StatusCode::NOT_FOUND);

  std::map<std::string, double> samples = Scrape(command_metrics);
  EXPECT_EQ(WithPrefix(samples, "bank_commands_total"),
            (std::map<std::string, double>{
                {R"(bank_commands_total{code="FAILED_PRECONDITION",rpc="Withdraw"})", 1},
                {R"(bank_commands_total{code="OK",rpc="Deposit"})", 3}}));
  EXPECT_EQ(samples[R"(bank_command_duration_seconds_count{rpc="Deposit"})"], 3);
  EXPECT_EQ(samples[R"(bank_command_duration_seconds_count{rpc="Withdraw"})"], 1);
  EXPECT_EQ(samples["bank_store_head_position"], 3);
  EXPECT_EQ(samples["bank_store_commit_events_sum"], 3);
  EXPECT_GE(samples["bank_store_commit_duration_seconds_count"], 1);
  EXPECT_LE(samples["bank_store_commit_duration_seconds_count"], 3);
  EXPECT_EQ(samples["bank_subscribe_streams"], 1);  // the query service's
  EXPECT_EQ(samples["bank_subscribe_events_sent_total"], 3);
  EXPECT_GT(samples["process_resident_memory_bytes"], 0);
  EXPECT_GT(samples["process_cpu_seconds_total"], 0);
  EXPECT_GT(samples["process_start_time_seconds"], 0);

  samples = Scrape(query_metrics);
  EXPECT_EQ(WithPrefix(samples, "bank_queries_total"),
            (std::map<std::string, double>{
                {R"(bank_queries_total{code="NOT_FOUND",rpc="GetBalance"})", 1},
                {R"(bank_queries_total{code="OK",rpc="GetBalance"})", 1}}));
  EXPECT_EQ(samples[R"(bank_query_duration_seconds_count{rpc="GetBalance"})"], 2);
  EXPECT_EQ(samples["bank_projection_applied_position"], 3);
  EXPECT_EQ(samples["bank_projection_source_head_position"], 3);
  EXPECT_EQ(samples["bank_projection_lag_events"], 0);
  EXPECT_EQ(samples["bank_projection_source_connected"], 1);
  EXPECT_GT(samples["process_resident_memory_bytes"], 0);

  EXPECT_EQ(query.Stop(), 0);
  EXPECT_EQ(command.Stop(), 0);
}

TEST_F(ObservabilityE2eTest, AMetricsPortThatCannotBeBoundStopsStartUpNamingTheFlag) {
  RunningService first("command-service",
                       {"--data_dir=" + dir_ + "/first", "--metrics_listen=127.0.0.1:0"});
  const std::string taken = first.process().WaitForMetricsAddress();
  ASSERT_FALSE(taken.empty());
  const Outcome second = RunToCompletion(
      ProgramPath("command-service"),
      {"--data_dir=" + dir_ + "/second", "--listen=127.0.0.1:0", "--metrics_listen=" + taken});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("--metrics_listen=" + taken), std::string::npos) << second.err;
}

// Each line of `err` as a JSON object, failing the test on any that is not
// one with string `ts` (RFC 3339, UTC), `level` and `msg`.
std::vector<google::protobuf::Struct> JsonLines(const std::string& program,
                                                const std::string& err) {
  std::vector<google::protobuf::Struct> lines;
  for (absl::string_view line : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct object;
    const auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line), &object);
    EXPECT_TRUE(parsed.ok()) << program << " wrote a line that is not JSON: " << line;
    if (!parsed.ok()) continue;
    const auto& fields = object.fields();
    for (const char* key : {"ts", "level", "msg"}) {
      EXPECT_TRUE(fields.contains(key) && fields.at(key).has_string_value())
          << program << ": no string " << key << " in " << line;
    }
    if (fields.contains("ts")) {
      absl::Time parsed;
      std::string error;
      EXPECT_TRUE(
          absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", fields.at("ts").string_value(), &parsed, &error))
          << line << ": " << error;
    }
    lines.push_back(std::move(object));
  }
  return lines;
}

std::string Field(const google::protobuf::Struct& line, const std::string& key) {
  const auto found = line.fields().find(key);
  return found == line.fields().end() ? "" : found->second.string_value();
}

TEST_F(ObservabilityE2eTest, JsonLogsAreJsonFromStartUpToShutdownAndCallsCarryTheirTraceId) {
  RunningService command(
      "command-service",
      [&] {
        std::vector<std::string> args = ServerTlsFlags(certs());
        args.push_back("--data_dir=" + dir_ + "/command");
        args.push_back("--log_format=json");
        args.push_back("--log_level=debug");
        return args;
      }(),
      ClientTls(certs()));
  RunningService query("query-service",
                       {"--data_dir=" + dir_ + "/query", "--command_service=" + command.address(),
                        "--command_service_tls_ca=" + certs().Path("ca.pem"), "--log_format=json",
                        "--log_level=debug"});

  // A Deposit and a GetBalance, each with a traceparent of its own.
  grpc::ClientContext deposit_context;
  deposit_context.AddMetadata("traceparent", kTraceparent);
  bank::v1::DepositRequest deposit;
  deposit.set_account_id("traced");
  deposit.set_amount(5);
  bank::v1::CommandReply reply;
  ASSERT_TRUE(bank::v1::CommandService::NewStub(command.channel())
                  ->Deposit(&deposit_context, deposit, &reply)
                  .ok());
  grpc::ClientContext balance_context;
  balance_context.AddMetadata("traceparent", kQueryTraceparent);
  balance_context.set_deadline(In(10));
  bank::v1::GetBalanceRequest balance_request;
  balance_request.set_account_id("traced");
  balance_request.set_min_position(reply.position());
  bank::v1::AccountBalance balance;
  ASSERT_TRUE(bank::v1::QueryService::NewStub(query.channel())
                  ->GetBalance(&balance_context, balance_request, &balance)
                  .ok());
  // gRPC's own complaint, routed into the JSON log: a plaintext client at
  // the TLS port fails its handshake.
  EXPECT_NE(HealthOf(command.NewChannel(grpc::InsecureChannelCredentials()), ""), 1);
  ASSERT_TRUE(command.process().WaitForStderr("\"source\":\"grpc\""));

  EXPECT_EQ(query.Stop(), 0);
  EXPECT_EQ(command.Stop(), 0);

  const std::vector<google::protobuf::Struct> command_lines =
      JsonLines("command-service", command.process().Stderr());
  ASSERT_FALSE(command_lines.empty());
  EXPECT_EQ(Field(command_lines.back(), "msg"), "stopped cleanly");
  int deposits = 0;
  for (const google::protobuf::Struct& line : command_lines) {
    if (Field(line, "rpc") != "Deposit") continue;
    ++deposits;
    EXPECT_EQ(Field(line, "level"), "debug");
    EXPECT_EQ(Field(line, "code"), "OK");
    EXPECT_EQ(Field(line, "account"), "traced");
    EXPECT_EQ(line.fields().at("position").number_value(), static_cast<double>(reply.position()));
    EXPECT_EQ(Field(line, "trace_id"), kTraceId);
  }
  EXPECT_EQ(deposits, 1);

  const std::vector<google::protobuf::Struct> query_lines =
      JsonLines("query-service", query.process().Stderr());
  ASSERT_FALSE(query_lines.empty());
  int balances = 0;
  for (const google::protobuf::Struct& line : query_lines) {
    if (Field(line, "rpc") != "GetBalance") continue;
    ++balances;
    EXPECT_EQ(Field(line, "account"), "traced");
    EXPECT_EQ(Field(line, "trace_id"), kQueryTraceId);
  }
  EXPECT_EQ(balances, 1);
}

TEST_F(ObservabilityE2eTest, AnUnknownLogFormatStopsStartUpNamingTheChoices) {
  const Outcome outcome = RunToCompletion(ProgramPath("query-service"),
                                          {"--data_dir=" + dir_ + "/query", "--log_format=yaml"});
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_NE(outcome.err.find("--log_format=yaml is not one of text, json"), std::string::npos)
      << outcome.err;
}

}  // namespace
}  // namespace bank::testing
