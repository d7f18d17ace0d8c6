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

// The length of the well-formed UTF-8 sequence `text` starts with (RFC 3629:
// shortest form, no surrogates, at most U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view text) {
  const auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

// `text` as a JSON string literal that is valid UTF-8 whatever `text` holds
// (a JSON reader may refuse a line that is not): each byte of an ill-formed
// sequence becomes U+FFFD.
std::string QuoteAsUtf8(absl::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) {
      valid += "\xEF\xBF\xBD";
      text.remove_prefix(1);
    } else {
      valid.append(text.data(), length);
      text.remove_prefix(length);
    }
  }
  return JsonQuote(valid);
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) {
  const absl::Time time = absl::FromChrono(message.time);
  const spdlog::string_view_t level = spdlog::level::to_string_view(message.level);
  std::string line = absl::StrCat(
      R"({"ts":")", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()),
      R"(","level":")", absl::string_view(level.data(), level.size()), R"(","msg":)",
      QuoteAsUtf8(absl::string_view(message.payload.data(), message.payload.size())));
  for (const Field& field : FieldsOfCurrentLine()) {
    absl::StrAppend(&line, ",", JsonQuote(field.key()), ":",
                    field.is_number() ? field.text() : QuoteAsUtf8(field.text()));
  }
  line += "}\n";
  Append(out, line);
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace bank::log
