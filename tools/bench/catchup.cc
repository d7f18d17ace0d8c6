#include "tools/bench/catchup.h"

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "common/grpc_status.h"

namespace bank::bench {
double CatchupResult::EventsPerSecond() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
}

absl::StatusOr<CatchupResult> MeasureCatchup(const std::shared_ptr<grpc::Channel>& channel,
                                             absl::Duration timeout) {
  auto stub = bank::v1::CommandService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  bank::v1::SubscribeRequest request;
  request.set_after_position(0);

  CatchupResult result;
  const absl::Time start = absl::Now();
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  bank::v1::SubscribeResponse message;
  bool first = true;
  uint64_t last = 0;
  while (reader->Read(&message)) {
    if (first) {
      result.head = message.head_position();
      first = false;
    }
    ++result.messages;
    for (const bank::v1::Event& event : message.events()) {
      if (event.position() != last + 1) {
        context.TryCancel();
        reader->Finish().IgnoreError();
        return absl::DataLossError(
            absl::StrCat("expected position ", last + 1, ", got ", event.position()));
      }
      last = event.position();
      ++result.events;
    }
    if (last >= result.head) {
      result.elapsed = absl::Now() - start;
      context.TryCancel();
      reader->Finish().IgnoreError();
      return result;
    }
  }
  absl::Status status = FromGrpcStatus(reader->Finish());
  if (status.ok()) status = absl::UnavailableError("the stream ended before the head");
  return status;
}

absl::StatusOr<uint64_t> QueryHead(const std::shared_ptr<grpc::Channel>& channel,
                                   absl::Duration timeout) {
  auto stub = bank::v1::CommandService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  bank::v1::SubscribeRequest request;
  request.set_after_position(0);
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  bank::v1::SubscribeResponse message;
  if (reader->Read(&message)) {
    context.TryCancel();
    reader->Finish().IgnoreError();
    return message.head_position();
  }
  absl::Status status = FromGrpcStatus(reader->Finish());
  if (status.ok()) status = absl::UnavailableError("Subscribe ended without a message");
  return status;
}

}  // namespace bank::bench
