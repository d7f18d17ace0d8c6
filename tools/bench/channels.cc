#include "tools/bench/channels.h"

#include <grpc/grpc.h>

#include <chrono>

namespace bank::bench {

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& address, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  channels.reserve(count);
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Catch-up streams carry large batches.
    args.SetMaxReceiveMessageSize(-1);
    channels.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

bool ConnectAll(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                absl::Duration timeout) {
  const auto deadline = std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  for (const auto& channel : channels) {
    if (!channel->WaitForConnected(deadline)) return false;
  }
  return true;
}

}  // namespace bank::bench
