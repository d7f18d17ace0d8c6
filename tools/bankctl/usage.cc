#include "tools/bankctl/usage.h"

namespace bank::bankctl {

absl::string_view UsageText() {
  return R"(bankctl: the command line of the bank: deposits, withdrawals, transfers, balances, history
and the event stream, over gRPC to the command and query services.

usage: bankctl [FLAGS] SUBCOMMAND [ARGS]

Flags go before the subcommand (--name=value or --name value).

Subcommands:
  deposit ACCOUNT AMOUNT    add AMOUNT to ACCOUNT; prints the reply
  withdraw ACCOUNT AMOUNT   take AMOUNT from ACCOUNT; prints the reply
  transfer FROM TO AMOUNT   move AMOUNT from account FROM to account TO, both or
                            neither; prints each account's reply, FROM first
  balance ACCOUNT           the account's balance in the query service
  accounts                  every account, ordered by id (all pages)
  history ACCOUNT           the account's transactions, oldest first (all pages)
  watch                     the command service's events as they are recorded,
                            from --after, until Ctrl-C (then exit 0)
  health [command|query]    grpc.health.v1 Check of one service, or both

AMOUNT is an integer number of minor units (cents); amounts and balances print
as plain integers.

Flags:
  --command_service=HOST:PORT[,HOST:PORT...]
                               command service address (default 127.0.0.1:50051),
                               or replicas of it comma-separated: the first whose
                               connection opens within --timeout is used, and each
                               command is sent once, to that replica only
  --query_service=HOST:PORT    query service address (default 127.0.0.1:50052)
  --command_id=ID              idempotency key for deposit/withdraw/transfer
                               (default none)
  --expected_version=N         deposit/withdraw/transfer only if the account
                               (transfer: FROM) is at version N (0 = no events
                               yet); not sent unless given
  --after=POSITION             watch: start after this log position (default 0)
  --timeout=DURATION           deadline of each call, e.g. 500ms, 10s (default 10s);
                               watch has none
  --json                       one JSON object per line instead of text (default off)
  --tls_ca=FILE                PEM CA certificates to verify the services with: the
                               calls then use TLS (default plaintext)
  --tls_cert=FILE, --tls_key=FILE
                               PEM client certificate and its key, for services
                               that require one (mutual TLS; needs --tls_ca)
  --token_file=FILE            file holding the token every call carries, for
                               services with --auth_tokens (default: the
                               environment variable BANK_TOKEN, else none)

Output (text):
  deposit, withdraw  acc1: balance 60, version 2, position 2
  transfer           acc1: balance 40, version 3, position 7
                     acc2: balance 20, version 1, position 8
  balance            acc1: balance 60 (version 2, last position 2, as of position 2)
  accounts           acc1: balance 60 (version 2, last position 2)
  history            version 2, position 5: withdrawal 40, balance after 60,
                       command_id c-2, by teller, at 2024-05-01T12:00:00Z
                     (a transfer: "transfer out 20 to acc2" / "transfer in 20
                     from acc1"; watch the same)
  watch              position 5, acc1 version 2: withdrawal 40, command_id c-2,
                       by teller, at 2024-05-01T12:00:00Z
                     (heartbeats are not shown)
  health             command 127.0.0.1:50051: SERVING
  (", command_id X" only when the command had one; ", by P" only when the
  service knew its caller, --auth_tokens; ", at T" only when known)

Output (--json), integers as JSON numbers, timestamps RFC 3339 UTC or null:
  deposit, withdraw  {"account_id":"acc1","balance":60,"version":2,"position":2}
  transfer           the same, one line for each account, FROM first
  balance, accounts  {"account_id":"acc1","balance":60,"version":2,
                      "last_position":2,"as_of_position":2}
  history            {"version":2,"position":5,"kind":"WITHDRAWAL","amount":40,
                      "balance_after":60,"command_id":"c-2","recorded_at":"...",
                      "principal":"teller"}; a transfer's also
                      "counterparty_account_id":"acc2" (and kind TRANSFER_OUT
                      or TRANSFER_IN)
  watch              {"position":5,"account_id":"acc1","version":2,"kind":"WITHDRAWAL",
                      "amount":40,"command_id":"c-2","recorded_at":"...",
                      "principal":"teller"}
                     and for heartbeats {"heartbeat":true,"head_position":7}
  health             {"service":"command","address":"127.0.0.1:50051","status":"SERVING"}

Errors go to stderr as CODE: message, e.g.
  FAILED_PRECONDITION: insufficient funds: balance 40, withdrawal 100

Exit status:
  0  done (health: every service checked is SERVING)
  1  refused by the server (any other gRPC code; health: a service not SERVING)
  2  usage error, or a service unreachable or too slow (UNAVAILABLE,
     DEADLINE_EXCEEDED)
)";
}

}  // namespace bank::bankctl
