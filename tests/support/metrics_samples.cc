#include "tests/support/metrics_samples.h"

#include <prometheus/text_serializer.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/subprocess.h"

namespace bank::testing {

absl::StatusOr<std::map<std::string, double>> ParseSamples(const std::string& exposition) {
  std::map<std::string, double> samples;
  for (absl::string_view line : absl::StrSplit(exposition, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    // Label values may hold spaces: the series ends at the closing brace.
    const size_t brace = line.find('}');
    const size_t end = line.find(' ', brace == absl::string_view::npos ? 0 : brace);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("not a sample: ", line));
    }
    const std::vector<absl::string_view> rest =
        absl::StrSplit(line.substr(end + 1), ' ', absl::SkipEmpty());
    double value = 0;
    if (rest.empty() || rest.size() > 2 ||
        (!absl::SimpleAtod(rest[0], &value) && rest[0] != "Nan")) {
      return absl::InvalidArgumentError(absl::StrCat("not a sample: ", line));
    }
    samples[std::string(line.substr(0, end))] = value;
  }
  return samples;
}

std::map<std::string, double> WithPrefix(const std::map<std::string, double>& samples,
                                         const std::string& prefix) {
  std::map<std::string, double> matching;
  for (const auto& [series, value] : samples) {
    if (absl::StartsWith(series, prefix)) matching.emplace(series, value);
  }
  return matching;
}

std::string Exposition(const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables) {
  std::vector<prometheus::MetricFamily> families;
  for (const std::shared_ptr<prometheus::Collectable>& collectable : collectables) {
    std::vector<prometheus::MetricFamily> collected = collectable->Collect();
    families.insert(families.end(), collected.begin(), collected.end());
  }
  return prometheus::TextSerializer().Serialize(families);
}

absl::Status PromtoolCheck(const std::string& exposition) {
  const char* dir = getenv("TMPDIR");
  std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/bank_metrics_XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) return absl::InternalError("mkstemp failed");
  close(fd);
  std::ofstream(path) << exposition;
  const Outcome checked =
      RunToCompletion("/bin/sh", {"-c", absl::StrCat("promtool check metrics < ", path)});
  unlink(path.c_str());
  if (checked.exit_code != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "promtool check metrics exited ", checked.exit_code, ": ", checked.out, checked.err));
  }
  return absl::OkStatus();
}

}  // namespace bank::testing
