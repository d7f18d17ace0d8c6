#ifndef BANK_COMMON_JSON_H_
#define BANK_COMMON_JSON_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace bank {

// Builds one JSON object on one line, keys in the order they are added.
// Integers are written as plain JSON numbers (never quoted, never floating
// point) so that amounts read the same in --json mode as in human mode.
// Not thread-safe; a value type.
class JsonObject {
 public:
  JsonObject& Add(absl::string_view key, absl::string_view value);
  JsonObject& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  JsonObject& Add(absl::string_view key, int64_t value);
  JsonObject& Add(absl::string_view key, uint64_t value);
  JsonObject& Add(absl::string_view key, bool value);
  JsonObject& AddNull(absl::string_view key);

  // The object so far, e.g. {"a":1,"b":"x"}.
  std::string Build() const { return absl::StrCat("{", body_, "}"); }

 private:
  void AddKey(absl::string_view key);
  std::string body_;
};

// `text` as a JSON string literal, quotes included; control characters,
// quotes and backslashes are escaped, other bytes pass through unchanged.
std::string JsonQuote(absl::string_view text);

}  // namespace bank

#endif  // BANK_COMMON_JSON_H_
