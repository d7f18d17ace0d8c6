// bankctl: a command-line client for the command and query services.
// Everything but the flags lives in bankctl_lib; see usage.cc for the
// subcommands, output formats and exit statuses.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/address_list.h"
#include "common/security/client_security.h"
#include "tools/bankctl/client.h"
#include "tools/bankctl/command_line.h"
#include "tools/bankctl/commands.h"
#include "tools/bankctl/flag_args.h"
#include "tools/bankctl/interrupt.h"
#include "tools/bankctl/output.h"
#include "tools/bankctl/usage.h"

ABSL_FLAG(std::string, command_service, "127.0.0.1:50051",
          "command service address HOST:PORT, or replicas comma-separated (the first that "
          "connects is used)");
ABSL_FLAG(std::string, query_service, "127.0.0.1:50052", "query service address HOST:PORT");
ABSL_FLAG(std::string, command_id, "", "idempotency key for deposit, withdraw and transfer");
ABSL_FLAG(std::optional<uint64_t>, expected_version, std::nullopt,
          "deposit/withdraw/transfer only if the account (transfer: FROM) is at this version; "
          "not sent unless given");
ABSL_FLAG(bool, json, false, "print one JSON object per line");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(uint64_t, after, 0, "watch: start after this log position");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA certificates to verify the services with (TLS)");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS; needs --tls_ca)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, token_file, "",
          "file holding the token every call carries (default: $BANK_TOKEN, else none)");

namespace {

int UsageError(const std::string& reason) {
  std::cerr << "bankctl: " << reason << "\n"
            << "usage: bankctl [FLAGS] SUBCOMMAND [ARGS]; bankctl --help for details\n";
  return bank::bankctl::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bank::bankctl;

  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  absl::StatusOr<LeadingFlags> flags = ApplyLeadingFlags(args);
  if (!flags.ok()) return UsageError(std::string(flags.status().message()));
  // Asked for, the usage is the answer (stdout, 0); missing a subcommand, it
  // is a usage error (stderr, 2).
  if (flags->help_requested) {
    std::cout << UsageText();
    return 0;
  }
  if (flags->rest.empty()) {
    std::cerr << UsageText();
    return kExitUsage;
  }
  absl::StatusOr<Invocation> invocation = ParseInvocation(flags->rest);
  if (!invocation.ok()) return UsageError(std::string(invocation.status().message()));
  if (absl::GetFlag(FLAGS_timeout) <= absl::ZeroDuration()) {
    return UsageError("--timeout must be positive");
  }
  absl::StatusOr<std::vector<std::string>> command_addresses =
      bank::ParseAddressList(absl::GetFlag(FLAGS_command_service));
  if (!command_addresses.ok()) {
    return UsageError(absl::StrCat("--command_service: ", command_addresses.status().message()));
  }

  // Before the client exists, so no gRPC thread can take Ctrl-C: watch
  // handles it on a thread of its own and exits 0.
  if (invocation->verb == Verb::kWatch) BlockInterruptSignals();

  RunOptions options;
  options.format = absl::GetFlag(FLAGS_json) ? bank::Format::kJson : bank::Format::kHuman;
  options.command_id = absl::GetFlag(FLAGS_command_id);
  options.expected_version = absl::GetFlag(FLAGS_expected_version);
  options.after_position = absl::GetFlag(FLAGS_after);

  const char* token = std::getenv("BANK_TOKEN");
  absl::StatusOr<bank::security::ClientSecurity> security = bank::security::ClientSecurity::Load({
      .flag_prefix = "",
      .tls_ca = absl::GetFlag(FLAGS_tls_ca),
      .tls_cert = absl::GetFlag(FLAGS_tls_cert),
      .tls_key = absl::GetFlag(FLAGS_tls_key),
      .token_file = absl::GetFlag(FLAGS_token_file),
      .token = token == nullptr ? "" : token,
  });
  if (!security.ok()) return UsageError(std::string(security.status().message()));

  ClientOptions client_options;
  client_options.command_addresses = *std::move(command_addresses);
  client_options.query_address = absl::GetFlag(FLAGS_query_service);
  client_options.timeout = absl::GetFlag(FLAGS_timeout);
  client_options.security = *std::move(security);
  BankClient client(client_options);
  return RunInvocation(*invocation, options, client, std::cout, std::cerr);
}
