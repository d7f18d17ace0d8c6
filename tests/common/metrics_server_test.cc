#include "common/observability/metrics_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/observability/scraped_metrics.h"
#include "tests/support/http_get.h"
#include "tests/support/metrics_samples.h"

namespace bank::metrics {
namespace {

using ::bank::testing::HttpGet;
using ::bank::testing::ParseSamples;

TEST(MetricsServerTest, ServesItsCollectablesAndTheProcessMetricsAtSlashMetrics) {
  auto scraped = std::make_shared<ScrapedMetrics>();
  double head = 7;
  scraped->AddGauge("test_head_position", "a gauge read at each scrape", [&head] { return head; });
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start("127.0.0.1:0", {scraped});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = absl::StrCat("127.0.0.1:", (*server)->port());

  absl::StatusOr<std::string> first = HttpGet(address, "/metrics");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(testing::PromtoolCheck(*first).ok()) << testing::PromtoolCheck(*first);
  absl::StatusOr<std::map<std::string, double>> samples = ParseSamples(*first);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(samples->at("test_head_position"), 7);
  EXPECT_GT(samples->at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(samples->at("process_cpu_seconds_total"), 0);
  // Started before this test did, and not before the machine did.
  EXPECT_LE(samples->at("process_start_time_seconds"), absl::ToUnixSeconds(absl::Now()) + 1);
  EXPECT_GT(samples->at("process_start_time_seconds"),
            absl::ToUnixSeconds(absl::Now()) - 86400 * 365);

  head = 8;  // read again at the next scrape
  samples = ParseSamples(*HttpGet(address, "/metrics"));
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(samples->at("test_head_position"), 8);

  EXPECT_FALSE(HttpGet(address, "/other").ok());
}

TEST(MetricsServerTest, AnAddressThatIsNotHostPortIsInvalidArgument) {
  for (const char* listen : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000"}) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> server = MetricsServer::Start(listen, {});
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(server.status().message().find("--metrics_listen"), std::string::npos);
  }
}

TEST(MetricsServerTest, APortInUseIsUnavailableNamingTheFlag) {
  absl::StatusOr<std::unique_ptr<MetricsServer>> first = MetricsServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<MetricsServer>> second =
      MetricsServer::Start(absl::StrCat("127.0.0.1:", (*first)->port()), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_NE(second.status().message().find("--metrics_listen"), std::string::npos);
}

}  // namespace
}  // namespace bank::metrics
