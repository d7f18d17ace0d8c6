#ifndef BANK_TOOLS_BENCH_COMMAND_WORKLOAD_H_
#define BANK_TOOLS_BENCH_COMMAND_WORKLOAD_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "common/security/client_security.h"
#include "tools/bench/workload.h"

namespace bank::bench {

struct CommandMix {
  int accounts = 10000;
  // Per cycle of deposits + withdraws + transfers calls. Withdrawals and
  // transfers may find too little money and end FAILED_PRECONDITION; that is
  // part of the load. A transfer moves at most kMaxTransfer between two
  // different accounts.
  int deposits = 3;
  int withdraws = 1;
  int transfers = 0;
  // Account of call i is i % accounts (every account once before any twice:
  // for filling a log); otherwise uniformly random.
  bool sequential_accounts = false;
  // Send a unique command_id with every call, as a retrying client would.
  bool command_ids = true;
  std::string account_prefix = "bench-";
  // Makes command ids unique across runs against one server.
  std::string run_id;
  absl::Duration deadline = absl::Seconds(30);
  // The token the calls carry (--token_file); must outlive the workload.
  const security::ClientSecurity* security = nullptr;
};

// Deposit, Withdraw and Transfer calls over `channels` (slot s uses channel
// s % size).
class CommandWorkload final : public Workload {
 public:
  CommandWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, CommandMix mix,
                  int slots);

  void Start(int slot, CallDone done) override;

  // The account id of index `i`, as the workload names it.
  std::string AccountId(uint64_t i) const;

 private:
  struct Slot {
    std::mt19937_64 rng;
    uint64_t calls = 0;
  };

  const CommandMix mix_;
  std::vector<std::unique_ptr<bank::v1::CommandService::Stub>> stubs_;
  std::vector<Slot> slots_;                // each touched by its own slot only
  std::atomic<uint64_t> next_account_{0};  // sequential_accounts only
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_COMMAND_WORKLOAD_H_
