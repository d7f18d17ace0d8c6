#ifndef BANK_TOOLS_BENCH_CHANNELS_H_
#define BANK_TOOLS_BENCH_CHANNELS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace bank::bench {

// `count` insecure channels to `address`, each on its own TCP connection:
// every channel gets a distinct "grpc.channel_id" and a local subchannel
// pool, so gRPC cannot share one connection between them.
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& address, int count);

// Waits up to `timeout` for every channel to be connected; false if one is not.
bool ConnectAll(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                absl::Duration timeout);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_CHANNELS_H_
