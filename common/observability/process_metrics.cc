#include "common/observability/process_metrics.h"

#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/observability/scraped_metrics.h"

namespace bank::metrics {
namespace {

std::optional<std::string> ReadProcFile(const char* path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The fields of /proc/self/stat after the command name, which is in
// parentheses and may hold spaces: fields[0] is the state (field 3 of
// proc(5)), so field N of proc(5) is fields[N - 3].
std::vector<std::string> StatFields() {
  const std::optional<std::string> stat = ReadProcFile("/proc/self/stat");
  if (!stat.has_value()) return {};
  const size_t name_end = stat->rfind(')');
  if (name_end == std::string::npos || name_end + 2 > stat->size()) return {};
  return absl::StrSplit(absl::string_view(*stat).substr(name_end + 2), ' ', absl::SkipEmpty());
}

std::optional<double> StatField(const std::vector<std::string>& fields, size_t number) {
  double value = 0;
  if (fields.size() <= number - 3 || !absl::SimpleAtod(fields[number - 3], &value)) {
    return std::nullopt;
  }
  return value;
}

// The boot time, seconds since the epoch: the `btime` line of /proc/stat.
std::optional<double> BootTime() {
  const std::optional<std::string> stat = ReadProcFile("/proc/stat");
  if (!stat.has_value()) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*stat, '\n')) {
    double seconds = 0;
    if (absl::ConsumePrefix(&line, "btime ") && absl::SimpleAtod(line, &seconds)) return seconds;
  }
  return std::nullopt;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  const std::vector<std::string> stat = StatFields();
  std::vector<prometheus::MetricFamily> families;
  // proc(5): utime (14) and stime (15) in clock ticks, rss (24) in pages,
  // starttime (22) in clock ticks after boot.
  const std::optional<double> user = StatField(stat, 14);
  const std::optional<double> system = StatField(stat, 15);
  if (user.has_value() && system.has_value()) {
    families.push_back(SingleValueFamily(
        "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
        prometheus::MetricType::Counter, (*user + *system) / ticks_per_second));
  }
  if (const std::optional<double> pages = StatField(stat, 24); pages.has_value()) {
    families.push_back(SingleValueFamily(
        "process_resident_memory_bytes", "Resident memory size in bytes.",
        prometheus::MetricType::Gauge, *pages * static_cast<double>(sysconf(_SC_PAGESIZE))));
  }
  const std::optional<double> started = StatField(stat, 22);
  const std::optional<double> boot = BootTime();
  if (started.has_value() && boot.has_value()) {
    families.push_back(SingleValueFamily(
        "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        prometheus::MetricType::Gauge, *boot + *started / ticks_per_second));
  }
  return families;
}

}  // namespace bank::metrics
