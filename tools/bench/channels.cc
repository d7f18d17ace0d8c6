#include "tools/bench/channels.h"

#include <grpc/grpc.h>

#include <chrono>

namespace bank::bench {

std::vector<std::string> SpreadOverReplicas(const std::vector<std::string>& replicas, int count) {
  std::vector<std::string> addresses;
  addresses.reserve(count);
  for (int i = 0; i < count; ++i) addresses.push_back(replicas[i % replicas.size()]);
  return addresses;
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::vector<std::string>& addresses,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  channels.reserve(addresses.size());
  for (size_t i = 0; i < addresses.size(); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", static_cast<int>(i));
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Catch-up streams carry large batches.
    args.SetMaxReceiveMessageSize(-1);
    channels.push_back(grpc::CreateCustomChannel(addresses[i], credentials, args));
  }
  return channels;
}

int FirstNotConnected(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                      absl::Duration timeout) {
  const auto deadline = std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  for (size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i]->WaitForConnected(deadline)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace bank::bench
