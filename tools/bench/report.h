#ifndef BANK_TOOLS_BENCH_REPORT_H_
#define BANK_TOOLS_BENCH_REPORT_H_

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "tools/bench/latency_histogram.h"
#include "tools/bench/load_result.h"

namespace bank::bench {

// The figures of one bank-bench run, in the order they were added, printed
// either as aligned "key  value" lines for people or as one flat JSON object
// (keys are snake_case, so `jq .commands_calls_per_s` works). Latencies are
// microseconds (keys ending in _us). Not thread-safe.
class Report {
 public:
  void Number(const std::string& key, double value, int decimals = 0);
  void Text(const std::string& key, const std::string& value);
  void Duration(const std::string& key_us, absl::Duration value);

  // PREFIX_p50_us, PREFIX_p99_us, PREFIX_p999_us, PREFIX_max_us.
  void Latency(const std::string& prefix, const LatencyHistogram& histogram);
  // PREFIX_calls, PREFIX_calls_per_s, the latencies, PREFIX_status_CODE per
  // code seen and PREFIX_skipped if any.
  void Load(const std::string& prefix, const LoadResult& result);

  std::string ToText() const;
  std::string ToJson() const;

 private:
  struct NumberValue {
    double value;
    int decimals;
  };
  std::vector<std::pair<std::string, std::variant<NumberValue, std::string>>> entries_;
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_REPORT_H_
