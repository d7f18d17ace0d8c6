#include "common/observability/rpc_metrics.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/metrics_samples.h"

namespace bank::metrics {
namespace {

using ::bank::testing::Exposition;
using ::bank::testing::ParseSamples;
using ::bank::testing::WithPrefix;

TEST(RpcMetricsTest, CountsEachRpcByCodeAndOnlyTheCodesThatHappened) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto histograms = std::make_shared<Histograms>();
  RpcMetrics metrics(*registry, *histograms, "test_calls_total", "calls",
                     "test_call_duration_seconds", "durations", ExponentialBuckets(0.001, 10, 3));
  RpcMetrics::Rpc* deposit = metrics.AddRpc("Deposit");
  RpcMetrics::Rpc* withdraw = metrics.AddRpc("Withdraw");
  for (int i = 0; i < 3; ++i) deposit->Record(grpc::StatusCode::OK, 0.0005);
  withdraw->Record(grpc::StatusCode::FAILED_PRECONDITION, 0.05);

  const std::string text = Exposition({registry, histograms});
  absl::StatusOr<std::map<std::string, double>> samples = ParseSamples(text);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(WithPrefix(*samples, "test_calls_total"),
            (std::map<std::string, double>{
                {R"(test_calls_total{code="FAILED_PRECONDITION",rpc="Withdraw"})", 1},
                {R"(test_calls_total{code="OK",rpc="Deposit"})", 3}}));
  EXPECT_EQ(samples->at(R"(test_call_duration_seconds_count{rpc="Deposit"})"), 3);
  EXPECT_EQ(samples->at(R"(test_call_duration_seconds_bucket{rpc="Deposit",le="0.001"})"), 3);
  EXPECT_EQ(samples->at(R"(test_call_duration_seconds_bucket{rpc="Withdraw",le="0.01"})"), 0);
  EXPECT_EQ(samples->at(R"(test_call_duration_seconds_bucket{rpc="Withdraw",le="0.1"})"), 1);
  EXPECT_TRUE(testing::PromtoolCheck(text).ok()) << testing::PromtoolCheck(text);
}

TEST(RpcMetricsTest, ThreadsRacingToTheFirstSampleOfACodeShareOneCounter) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto histograms = std::make_shared<Histograms>();
  RpcMetrics metrics(*registry, *histograms, "race_calls_total", "calls",
                     "race_call_duration_seconds", "durations", ExponentialBuckets(0.001, 10, 3));
  RpcMetrics::Rpc* rpc = metrics.AddRpc("Deposit");
  constexpr int kThreads = 8;
  constexpr int kCalls = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([rpc] {
      for (int i = 0; i < kCalls; ++i) rpc->Record(grpc::StatusCode::UNAVAILABLE, 0.002);
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::StatusOr<std::map<std::string, double>> samples =
      ParseSamples(Exposition({registry, histograms}));
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(WithPrefix(*samples, "race_calls_total"),
            (std::map<std::string, double>{
                {R"(race_calls_total{code="UNAVAILABLE",rpc="Deposit"})", kThreads * kCalls}}));
  EXPECT_EQ(samples->at(R"(race_call_duration_seconds_count{rpc="Deposit"})"), kThreads * kCalls);
  EXPECT_EQ(samples->at(R"(race_call_duration_seconds_bucket{rpc="Deposit",le="0.001"})"), 0);
  EXPECT_EQ(samples->at(R"(race_call_duration_seconds_bucket{rpc="Deposit",le="0.01"})"),
            kThreads * kCalls);
}

TEST(AtomicHistogramTest, ABoundBelongsToItsOwnBucketAndWhatIsAboveAllToInf) {
  AtomicHistogram histogram({1, 2});
  for (const double value : {0.5, 1.0, 1.5, 7.0}) histogram.Observe(value);
  const prometheus::ClientMetric::Histogram snapshot = histogram.Snapshot();
  ASSERT_EQ(snapshot.bucket.size(), 3u);
  EXPECT_EQ(snapshot.bucket[0].upper_bound, 1);
  EXPECT_EQ(snapshot.bucket[0].cumulative_count, 2u);
  EXPECT_EQ(snapshot.bucket[1].cumulative_count, 3u);
  EXPECT_EQ(snapshot.bucket[2].upper_bound, std::numeric_limits<double>::infinity());
  EXPECT_EQ(snapshot.bucket[2].cumulative_count, 4u);
  EXPECT_EQ(snapshot.sample_count, 4u);
  EXPECT_EQ(snapshot.sample_sum, 10);
}

TEST(RpcMetricsTest, ExponentialBucketsGrowByTheFactor) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 11),
            (std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}));
}

}  // namespace
}  // namespace bank::metrics
