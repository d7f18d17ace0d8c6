#include "tools/bench/report.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bank::bench {
namespace {

std::string FormatNumber(double value, int decimals) {
  return absl::StrFormat("%.*f", decimals, value);
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", std::string(1, c));
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

void Report::Number(const std::string& key, double value, int decimals) {
  entries_.emplace_back(key, NumberValue{value, decimals});
}

void Report::Text(const std::string& key, const std::string& value) {
  entries_.emplace_back(key, value);
}

void Report::Duration(const std::string& key_us, absl::Duration value) {
  Number(key_us, absl::ToDoubleMicroseconds(value), 1);
}

void Report::Latency(const std::string& prefix, const LatencyHistogram& histogram) {
  Duration(prefix + "_p50_us", histogram.PercentileDuration(0.50));
  Duration(prefix + "_p99_us", histogram.PercentileDuration(0.99));
  Duration(prefix + "_p999_us", histogram.PercentileDuration(0.999));
  Duration(prefix + "_max_us", absl::Nanoseconds(histogram.max()));
}

void Report::Load(const std::string& prefix, const LoadResult& result) {
  Number(prefix + "_calls", static_cast<double>(result.calls));
  Number(prefix + "_calls_per_s", result.CallsPerSecond());
  Latency(prefix, result.latency);
  for (const auto& [code, count] : result.by_status) {
    Number(absl::StrCat(prefix, "_status_", StatusCodeName(code)), static_cast<double>(count));
  }
  if (result.skipped > 0) Number(prefix + "_skipped", static_cast<double>(result.skipped));
}

std::string Report::ToText() const {
  size_t width = 0;
  for (const auto& [key, value] : entries_) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : entries_) {
    const std::string shown = std::holds_alternative<std::string>(value)
                                  ? std::get<std::string>(value)
                                  : FormatNumber(std::get<NumberValue>(value).value,
                                                 std::get<NumberValue>(value).decimals);
    absl::StrAppend(&out, absl::StrFormat("%-*s  %s\n", static_cast<int>(width), key, shown));
  }
  return out;
}

std::string Report::ToJson() const {
  std::string out = "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& [key, value] = entries_[i];
    absl::StrAppend(&out, i == 0 ? "" : ",", JsonString(key), ":");
    if (std::holds_alternative<std::string>(value)) {
      absl::StrAppend(&out, JsonString(std::get<std::string>(value)));
    } else {
      absl::StrAppend(&out, FormatNumber(std::get<NumberValue>(value).value,
                                         std::get<NumberValue>(value).decimals));
    }
  }
  return out + "}\n";
}

}  // namespace bank::bench
