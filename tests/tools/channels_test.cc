#include "tools/bench/channels.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"

namespace bank::bench {
namespace {

using ::testing::ElementsAre;

TEST(SpreadOverReplicasTest, OneAddressTakesEveryChannel) {
  EXPECT_THAT(SpreadOverReplicas({"a:1"}, 3), ElementsAre("a:1", "a:1", "a:1"));
}

TEST(SpreadOverReplicasTest, ChannelsGoToTheReplicasRoundRobin) {
  EXPECT_THAT(SpreadOverReplicas({"a:1", "b:2"}, 5),
              ElementsAre("a:1", "b:2", "a:1", "b:2", "a:1"));
}

TEST(SpreadOverReplicasTest, FewerChannelsThanReplicasUseTheFirstOnes) {
  EXPECT_THAT(SpreadOverReplicas({"a:1", "b:2", "c:3"}, 2), ElementsAre("a:1", "b:2"));
}

// A server answering UNIMPLEMENTED to everything: enough for a channel to
// connect.
std::unique_ptr<grpc::Server> StartServer(grpc::Service* service, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  builder.RegisterService(service);
  return builder.BuildAndStart();
}

TEST(FirstNotConnectedTest, NamesTheChannelWhoseReplicaDoesNotAnswer) {
  // Outlives the servers running it.
  bank::v1::CommandService::Service service;
  int live_port = 0;
  std::unique_ptr<grpc::Server> live = StartServer(&service, &live_port);
  int closed_port = 0;
  {
    std::unique_ptr<grpc::Server> gone = StartServer(&service, &closed_port);
    gone->Shutdown(std::chrono::system_clock::now());
    gone->Wait();
  }
  const std::string up = absl::StrCat("127.0.0.1:", live_port);
  const std::string down = absl::StrCat("127.0.0.1:", closed_port);

  EXPECT_EQ(FirstNotConnected(MakeChannels({up, up}, grpc::InsecureChannelCredentials()),
                              absl::Seconds(10)),
            -1);
  // The refused channel keeps retrying until the timeout, which is also all
  // the live one gets to connect (a local connect takes milliseconds).
  EXPECT_EQ(FirstNotConnected(MakeChannels({up, down}, grpc::InsecureChannelCredentials()),
                              absl::Seconds(3)),
            1);
}

}  // namespace
}  // namespace bank::bench
