#include "common/reflection/descriptor_index.h"

#include <google/protobuf/descriptor.pb.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace bank::reflection {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

DescriptorIndex::DescriptorIndex(std::vector<std::string> service_names)
    : service_names_(std::move(service_names)) {
  // Names the server itself registered: trusted, so asking the pool is safe.
  for (const std::string& name : service_names_) {
    const google::protobuf::ServiceDescriptor* service =
        DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) {
      spdlog::warn("reflection cannot describe {}: its descriptor is not linked in", name);
      continue;
    }
    AddFile(service->file());
  }
  for (auto& [type, numbers] : extension_numbers_) std::sort(numbers.begin(), numbers.end());
}

const FileDescriptor* DescriptorIndex::FindFileByName(absl::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : it->second;
}

const FileDescriptor* DescriptorIndex::FindFileContainingSymbol(absl::string_view name) const {
  auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : it->second;
}

const FileDescriptor* DescriptorIndex::FindFileContainingExtension(absl::string_view type,
                                                                   int number) const {
  auto it = extensions_.find(std::make_pair(std::string(type), number));
  return it == extensions_.end() ? nullptr : it->second;
}

const std::vector<int>* DescriptorIndex::FindExtensionNumbers(absl::string_view type) const {
  auto it = extension_numbers_.find(type);
  return it == extension_numbers_.end() ? nullptr : &it->second;
}

const std::string& DescriptorIndex::Serialized(const FileDescriptor* file) const {
  return serialized_.at(file);
}

void DescriptorIndex::AddFile(const FileDescriptor* file) {
  if (!files_.emplace(file->name(), file).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  serialized_.emplace(file, proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i));
  for (int i = 0; i < file->message_type_count(); ++i) AddMessage(file->message_type(i), file);
  for (int i = 0; i < file->enum_type_count(); ++i) AddEnum(file->enum_type(i), file);
  for (int i = 0; i < file->extension_count(); ++i) AddExtension(file->extension(i), file);
  for (int i = 0; i < file->service_count(); ++i) {
    const google::protobuf::ServiceDescriptor* service = file->service(i);
    symbols_.emplace(service->full_name(), file);
    for (int m = 0; m < service->method_count(); ++m) {
      symbols_.emplace(service->method(m)->full_name(), file);
    }
  }
}

void DescriptorIndex::AddMessage(const Descriptor* message, const FileDescriptor* file) {
  symbols_.emplace(message->full_name(), file);
  // A message with no extension range still answers "no extensions".
  extension_numbers_.try_emplace(message->full_name());
  for (int i = 0; i < message->field_count(); ++i) {
    symbols_.emplace(message->field(i)->full_name(), file);
  }
  for (int i = 0; i < message->oneof_decl_count(); ++i) {
    symbols_.emplace(message->oneof_decl(i)->full_name(), file);
  }
  for (int i = 0; i < message->nested_type_count(); ++i) {
    AddMessage(message->nested_type(i), file);
  }
  for (int i = 0; i < message->enum_type_count(); ++i) AddEnum(message->enum_type(i), file);
  for (int i = 0; i < message->extension_count(); ++i) AddExtension(message->extension(i), file);
}

void DescriptorIndex::AddEnum(const EnumDescriptor* type, const FileDescriptor* file) {
  symbols_.emplace(type->full_name(), file);
  for (int i = 0; i < type->value_count(); ++i) symbols_.emplace(type->value(i)->full_name(), file);
}

void DescriptorIndex::AddExtension(const FieldDescriptor* extension, const FileDescriptor* file) {
  symbols_.emplace(extension->full_name(), file);
  const std::string& extendee = extension->containing_type()->full_name();
  extensions_.emplace(std::make_pair(extendee, extension->number()), file);
  extension_numbers_[extendee].push_back(extension->number());
}

}  // namespace bank::reflection
