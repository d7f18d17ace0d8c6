#include "common/observability/log_fields.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "common/json.h"

namespace bank::log {
namespace {

std::atomic<bool> fields_as_json{false};

// spdlog formats on the thread that logs (the loggers here are synchronous),
// so the formatter finds the fields of the line it formats here.
thread_local absl::Span<const Field> current_fields;

}  // namespace

void SetFieldsAsJson(bool json) { fields_as_json.store(json, std::memory_order_relaxed); }

absl::Span<const Field> FieldsOfCurrentLine() { return current_fields; }

void Write(spdlog::level::level_enum level, absl::string_view message,
           absl::Span<const Field> fields) {
  spdlog::logger& logger = *spdlog::default_logger_raw();
  if (!logger.should_log(level)) return;
  if (fields_as_json.load(std::memory_order_relaxed)) {
    current_fields = fields;
    logger.log(level, spdlog::string_view_t(message.data(), message.size()));
    current_fields = {};
    return;
  }
  std::string line(message);
  for (const Field& field : fields) {
    // Quoted when a reader could not tell where the value ends.
    const bool quote =
        field.text().empty() || field.text().find_first_of(" \"=\n") != std::string::npos;
    absl::StrAppend(&line, " ", field.key(), "=", quote ? JsonQuote(field.text()) : field.text());
  }
  logger.log(level, spdlog::string_view_t(line));
}

}  // namespace bank::log
