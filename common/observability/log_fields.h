#ifndef BANK_COMMON_OBSERVABILITY_LOG_FIELDS_H_
#define BANK_COMMON_OBSERVABILITY_LOG_FIELDS_H_

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace bank::log {

// One structured field of a log line: a key and a text or integer value.
// In --log_format=text it is written after the message as ` key=value`; in
// json as a key of its own beside "msg", an integer as a JSON number.
class Field {
 public:
  Field(absl::string_view key, absl::string_view text) : key_(key), text_(text) {}
  Field(absl::string_view key, const char* text) : Field(key, absl::string_view(text)) {}
  Field(absl::string_view key, uint64_t number)
      : key_(key), text_(std::to_string(number)), is_number_(true) {}

  absl::string_view key() const { return key_; }
  const std::string& text() const { return text_; }
  bool is_number() const { return is_number_; }

 private:
  absl::string_view key_;
  std::string text_;
  bool is_number_ = false;
};

// Writes `message` with `fields` through the default logger at `level`, if
// that level is enabled.
void Write(spdlog::level::level_enum level, absl::string_view message,
           absl::Span<const Field> fields);

// The fields of the line being written on this thread, for the JSON
// formatter: empty outside Write().
absl::Span<const Field> FieldsOfCurrentLine();

// Which form Write() gives the fields: appended to the text, or handed to
// the JSON formatter. Set once by SetUpLogging, before any thread logs.
void SetFieldsAsJson(bool json);

}  // namespace bank::log

#endif  // BANK_COMMON_OBSERVABILITY_LOG_FIELDS_H_
