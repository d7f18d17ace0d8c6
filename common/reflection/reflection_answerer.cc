#include "common/reflection/reflection_answerer.h"

#include "absl/strings/str_cat.h"

namespace bank::reflection {
namespace {

using google::protobuf::FileDescriptor;

// A name quoted in an error message: a request may carry a megabyte of it.
std::string Quote(absl::string_view name) {
  constexpr size_t kQuoted = 100;
  if (name.size() <= kQuoted) return absl::StrCat("\"", name, "\"");
  return absl::StrCat("\"", name.substr(0, kQuoted), "\"... (", name.size(), " bytes)");
}

}  // namespace

ReflectionAnswerer::ReflectionAnswerer(std::shared_ptr<const DescriptorIndex> index)
    : index_(std::move(index)) {}

absl::StatusOr<std::vector<std::string>> ReflectionAnswerer::FileByFilename(
    absl::string_view name) {
  const FileDescriptor* file = index_->FindFileByName(name);
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("no file named ", Quote(name)));
  return Send(file);
}

absl::StatusOr<std::vector<std::string>> ReflectionAnswerer::FileContainingSymbol(
    absl::string_view symbol) {
  const FileDescriptor* file = index_->FindFileContainingSymbol(symbol);
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("no symbol ", Quote(symbol)));
  return Send(file);
}

absl::StatusOr<std::vector<std::string>> ReflectionAnswerer::FileContainingExtension(
    absl::string_view type, int number) {
  if (index_->FindExtensionNumbers(type) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no message type ", Quote(type)));
  }
  const FileDescriptor* file = index_->FindFileContainingExtension(type, number);
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("no extension ", number, " of ", Quote(type)));
  }
  return Send(file);
}

absl::StatusOr<std::vector<int>> ReflectionAnswerer::ExtensionNumbersOf(
    absl::string_view type) const {
  const std::vector<int>* numbers = index_->FindExtensionNumbers(type);
  if (numbers == nullptr) return absl::NotFoundError(absl::StrCat("no message type ", Quote(type)));
  return *numbers;
}

std::vector<std::string> ReflectionAnswerer::Send(const FileDescriptor* file) {
  std::vector<std::string> out = {index_->Serialized(file)};
  sent_.insert(file);
  SendUnsentDependencies(file, &out);
  return out;
}

void ReflectionAnswerer::SendUnsentDependencies(const FileDescriptor* file,
                                                std::vector<std::string>* out) {
  for (int i = 0; i < file->dependency_count(); ++i) {
    const FileDescriptor* dependency = file->dependency(i);
    if (!sent_.insert(dependency).second) continue;
    out->push_back(index_->Serialized(dependency));
    SendUnsentDependencies(dependency, out);
  }
}

}  // namespace bank::reflection
