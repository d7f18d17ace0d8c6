#ifndef BANK_TOOLS_BENCH_CHANNELS_H_
#define BANK_TOOLS_BENCH_CHANNELS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace bank::bench {

// The address of each of `count` channels spread over `replicas` round robin:
// channel i goes to replicas[i % replicas.size()], so with at least as many
// channels as replicas every replica gets its share. `replicas` not empty.
std::vector<std::string> SpreadOverReplicas(const std::vector<std::string>& replicas, int count);

// A channel to each of `addresses` with `credentials`, each on its own TCP
// connection: every channel gets a distinct "grpc.channel_id" and a local
// subchannel pool, so gRPC cannot share one connection between them.
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::vector<std::string>& addresses,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials);

// Waits up to `timeout` for every channel to be connected; the index of the
// first that is not, or -1 when all are.
int FirstNotConnected(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                      absl::Duration timeout);

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_CHANNELS_H_
