#ifndef BANK_COMMON_REFLECTION_REFLECTION_SERVICE_H_
#define BANK_COMMON_REFLECTION_REFLECTION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "common/raw_request.h"
#include "common/reflection/lazy_descriptor_index.h"
#include "common/reflection/reflection_answerer.h"
#include "common/refused_call.h"
#include "common/security/authenticator.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace bank::reflection {

// grpc.reflection.<package>.ServerReflection over the callback API, for either
// package: v1 and v1alpha have the same messages and numbers, only their
// generated types differ, so one template serves both (ReflectionV1,
// ReflectionV1Alpha below). ReflectionAnswerer decides every answer.
//
// Each stream reads a request, writes its one answer, then reads the next:
// one operation in flight. gRPC runs the reactions one after another, but on
// different threads and through its own (uninstrumented) synchronisation, so a
// stream's state still sits behind a mutex that every reaction takes: it is
// never contended, and it lets ThreadSanitizer see the order. Requests arrive
// raw and are parsed here (common/raw_request.h says why), so bytes protobuf
// refuses (a string that is not UTF-8) get an INVALID_ARGUMENT error_response
// like a request whose oneof is unset (or set to a case this version does not
// know), and the stream continues. `index` must outlive the service.
template <typename Service, typename Request, typename Response>
class ReflectionService final : public Service::template WithRawCallbackMethod_ServerReflectionInfo<
                                    typename Service::Service> {
 public:
  // Both must outlive the service.
  ReflectionService(LazyDescriptorIndex* index, const security::Authenticator* authenticator)
      : index_(index), authenticator_(authenticator) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ServerReflectionInfo(
      grpc::CallbackServerContext* context) override {
    if (absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context); !caller.ok()) {
      return new RefusedCall<grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>>(
          ToGrpcStatus(caller.status()));
    }
    return new Stream(index_->Get());
  }

 private:
  class Stream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Stream(std::shared_ptr<const DescriptorIndex> index) : answerer_(std::move(index)) {
      { absl::MutexLock lock(&mu_); }  // the constructed state, for the first reaction
      this->StartRead(&request_bytes_);
    }

    void OnReadDone(bool ok) override {
      // Not ok: the client half-closed, or the call ended.
      if (!ok) return this->Finish(grpc::Status::OK);
      {
        absl::MutexLock lock(&mu_);
        response_.Clear();
        request_.Clear();
        if (absl::Status parsed = ParseRequest(request_bytes_, &request_); parsed.ok()) {
          Answer();
        } else {
          SetError(parsed);
        }
        response_bytes_.Clear();
        SerializeReply(response_, &response_bytes_);
      }
      // Outside the lock: gRPC may run the next reaction on this thread.
      this->StartWrite(&response_bytes_);
    }

    void OnWriteDone(bool ok) override {
      if (!ok) return this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      this->StartRead(&request_bytes_);
    }

    void OnDone() override {
      { absl::MutexLock lock(&mu_); }  // after the last reaction's writes
      delete this;
    }

   private:
    void Answer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      response_.set_valid_host(request_.host());
      *response_.mutable_original_request() = request_;
      switch (request_.message_request_case()) {
        case Request::kFileByFilename:
          return SetFiles(answerer_.FileByFilename(request_.file_by_filename()));
        case Request::kFileContainingSymbol:
          return SetFiles(answerer_.FileContainingSymbol(request_.file_containing_symbol()));
        case Request::kFileContainingExtension:
          return SetFiles(answerer_.FileContainingExtension(
              request_.file_containing_extension().containing_type(),
              request_.file_containing_extension().extension_number()));
        case Request::kAllExtensionNumbersOfType:
          return SetExtensionNumbers(request_.all_extension_numbers_of_type());
        case Request::kListServices:
          for (const std::string& name : answerer_.ServiceNames()) {
            response_.mutable_list_services_response()->add_service()->set_name(name);
          }
          return;
        case Request::MESSAGE_REQUEST_NOT_SET:
          break;
      }
      SetError(absl::InvalidArgumentError(
          "the request sets none of file_by_filename, file_containing_symbol, "
          "file_containing_extension, all_extension_numbers_of_type, list_services"));
    }

    void SetFiles(const absl::StatusOr<std::vector<std::string>>& files)
        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (!files.ok()) return SetError(files.status());
      for (const std::string& file : *files) {
        response_.mutable_file_descriptor_response()->add_file_descriptor_proto(file);
      }
    }

    void SetExtensionNumbers(const std::string& type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      absl::StatusOr<std::vector<int>> numbers = answerer_.ExtensionNumbersOf(type);
      if (!numbers.ok()) return SetError(numbers.status());
      auto* answer = response_.mutable_all_extension_numbers_response();
      answer->set_base_type_name(type);
      for (int number : *numbers) answer->add_extension_number(number);
    }

    void SetError(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      // absl's codes are gRPC's, number for number.
      response_.mutable_error_response()->set_error_code(static_cast<int>(status.code()));
      response_.mutable_error_response()->set_error_message(std::string(status.message()));
    }

    absl::Mutex mu_;
    ReflectionAnswerer answerer_ ABSL_GUARDED_BY(mu_);
    // Filled and read by gRPC between the reactions, so not annotated: the
    // reactions touch them under mu_, gRPC while no reaction runs.
    grpc::ByteBuffer request_bytes_;
    grpc::ByteBuffer response_bytes_;
    Request request_ ABSL_GUARDED_BY(mu_);
    Response response_ ABSL_GUARDED_BY(mu_);
  };

  LazyDescriptorIndex* index_;
  const security::Authenticator* authenticator_;
};

using ReflectionV1 = ReflectionService<grpc::reflection::v1::ServerReflection,
                                       grpc::reflection::v1::ServerReflectionRequest,
                                       grpc::reflection::v1::ServerReflectionResponse>;
using ReflectionV1Alpha = ReflectionService<grpc::reflection::v1alpha::ServerReflection,
                                            grpc::reflection::v1alpha::ServerReflectionRequest,
                                            grpc::reflection::v1alpha::ServerReflectionResponse>;

}  // namespace bank::reflection

#endif  // BANK_COMMON_REFLECTION_REFLECTION_SERVICE_H_
