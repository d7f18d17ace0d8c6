#ifndef BANK_TESTS_SUPPORT_METRICS_SAMPLES_H_
#define BANK_TESTS_SUPPORT_METRICS_SAMPLES_H_

#include <prometheus/collectable.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bank::testing {

// The samples of Prometheus' text exposition format by series, each key the
// sample's name and its labels as written, e.g.
// `bank_commands_total{code="OK",rpc="Deposit"}` (prometheus-cpp writes a
// family's labels sorted by name, a histogram bucket's `le` last) or
// `bank_store_head_position`. Comment lines are skipped; a
// line that is not `SERIES VALUE [TIMESTAMP]` is an error.
absl::StatusOr<std::map<std::string, double>> ParseSamples(const std::string& exposition);

// The samples whose series starts with `prefix` (a metric name, or a name
// and `{`).
std::map<std::string, double> WithPrefix(const std::map<std::string, double>& samples,
                                         const std::string& prefix);

// What a metrics server would serve for `collectables`, in the text format.
std::string Exposition(const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables);

// `promtool check metrics` on `exposition` (Debian's prometheus package): OK,
// or its complaints.
absl::Status PromtoolCheck(const std::string& exposition);

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_METRICS_SAMPLES_H_
