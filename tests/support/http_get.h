#ifndef BANK_TESTS_SUPPORT_HTTP_GET_H_
#define BANK_TESTS_SUPPORT_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"

namespace bank::testing {

// The body of GET http://`address``path` (address "127.0.0.1:PORT"), over
// HTTP/1.0 so the server closes the connection after the body. An error for a
// failed connection or an answer other than 200.
absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path);

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_HTTP_GET_H_
