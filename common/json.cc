#include "common/json.h"

#include "absl/strings/str_format.h"

namespace bank {

JsonObject& JsonObject::Add(absl::string_view key, absl::string_view value) {
  AddKey(key);
  absl::StrAppend(&body_, JsonQuote(value));
  return *this;
}

JsonObject& JsonObject::Add(absl::string_view key, int64_t value) {
  AddKey(key);
  absl::StrAppend(&body_, value);
  return *this;
}

JsonObject& JsonObject::Add(absl::string_view key, uint64_t value) {
  AddKey(key);
  absl::StrAppend(&body_, value);
  return *this;
}

JsonObject& JsonObject::Add(absl::string_view key, bool value) {
  AddKey(key);
  absl::StrAppend(&body_, value ? "true" : "false");
  return *this;
}

JsonObject& JsonObject::AddNull(absl::string_view key) {
  AddKey(key);
  absl::StrAppend(&body_, "null");
  return *this;
}

void JsonObject::AddKey(absl::string_view key) {
  if (!body_.empty()) body_ += ',';
  absl::StrAppend(&body_, JsonQuote(key), ":");
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // Server-supplied text is printed, so no raw control byte may reach
        // the terminal or break a line-oriented reader.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace bank
