#include "common/observability/json_log_formatter.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/json.h"
#include "common/observability/log_fields.h"

namespace bank::log {
namespace {

void Append(spdlog::memory_buf_t& out, absl::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) {
  const absl::Time time = absl::FromChrono(message.time);
  const spdlog::string_view_t level = spdlog::level::to_string_view(message.level);
  std::string line = absl::StrCat(
      R"({"ts":")", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()),
      R"(","level":")", absl::string_view(level.data(), level.size()), R"(","msg":)",
      JsonQuote(absl::string_view(message.payload.data(), message.payload.size())));
  for (const Field& field : FieldsOfCurrentLine()) {
    absl::StrAppend(&line, ",", JsonQuote(field.key()), ":",
                    field.is_number() ? field.text() : JsonQuote(field.text()));
  }
  line += "}\n";
  Append(out, line);
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace bank::log
