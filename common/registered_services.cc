#include "common/registered_services.h"

#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>

#include <memory>

namespace bank {

// Hands the server's service list to RegisteredServices as soon as the
// server exists. Taking the pointer this early, rather than copying the list
// in Finish() after the server started, leaves no moment in which a call
// could see a partial list.
class RegisteredServices::Plugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit Plugin(RegisteredServices* owner) : owner_(owner) {}

  std::string name() override { return "bank.registered_services"; }
  void InitServer(grpc::ServerInitializer* initializer) override {
    absl::MutexLock lock(&owner_->mu_);
    owner_->names_ = initializer->GetServiceList();
  }
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}

 private:
  RegisteredServices* owner_;
};

// A builder takes plugins of its own only through an option.
class RegisteredServices::Option final : public grpc::ServerBuilderOption {
 public:
  explicit Option(RegisteredServices* owner) : owner_(owner) {}

  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<Plugin>(owner_));
  }

 private:
  RegisteredServices* owner_;
};

void RegisteredServices::Watch(grpc::ServerBuilder* builder) {
  builder->SetOption(std::make_unique<Option>(this));
}

std::vector<std::string> RegisteredServices::Names() const {
  absl::MutexLock lock(&mu_);
  if (names_ == nullptr) return {};
  return *names_;
}

}  // namespace bank
