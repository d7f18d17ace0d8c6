#include "common/security/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/security/config_file.h"

namespace bank::security {
namespace {

template <auto free_function>
struct OpenSslFree {
  template <typename T>
  void operator()(T* pointer) const {
    free_function(pointer);
  }
};
using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;
using Certificate = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using PrivateKey = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;

std::string Named(const FlagFile& file) { return absl::StrCat("--", file.flag, "=", file.path); }

// The reason of the oldest error in OpenSSL's queue, the root cause (later
// entries only say which layer passed it up), and an empty queue, so that no
// later call reports this failure's leftovers.
std::string TakeOpenSslReason() {
  const char* reason = ERR_reason_error_string(ERR_peek_error());
  std::string text = reason != nullptr ? reason : "unknown OpenSSL error";
  ERR_clear_error();
  return text;
}

// Whether the last failure was reading past the last PEM block: the normal
// end of a file of one or more blocks, not a malformed one.
bool AtEndOfPem() {
  const unsigned long error = ERR_peek_last_error();
  return ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
}

Bio MemoryBio(const std::string& text) {
  // Read-only: OpenSSL reads `text` in place, which outlives the BIO here.
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The first certificate of `text`, once every certificate in it has parsed.
absl::StatusOr<Certificate> ParseCertificates(const FlagFile& file, const std::string& text) {
  ERR_clear_error();
  Bio bio = MemoryBio(text);
  if (bio == nullptr) return absl::ResourceExhaustedError("OpenSSL: out of memory");
  Certificate leaf;
  int count = 0;
  // Text outside PEM blocks, and blocks of other kinds, are skipped here as
  // OpenSSL skips them when gRPC reads the same text.
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    ++count;
    if (leaf == nullptr) {
      leaf.reset(certificate);
    } else {
      X509_free(certificate);
    }
  }
  if (!AtEndOfPem()) {
    return absl::InvalidArgumentError(absl::StrCat(Named(file), ": PEM certificate ", count + 1,
                                                   " in it is malformed (", TakeOpenSslReason(),
                                                   ")"));
  }
  ERR_clear_error();
  if (leaf == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        Named(file), ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)"));
  }
  return leaf;
}

// OpenSSL's password callback. Our programs never ask for a password (there
// may be no terminal): note that one was wanted and give none.
int RefusePassword(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* wanted) {
  *static_cast<bool*>(wanted) = true;
  return -1;
}

// Why `text` gave no private key. OpenSSL 3's key decoders answer every
// failure with "unsupported", so this reads the PEM blocks themselves.
std::string WhyNoPrivateKey(const std::string& text) {
  ERR_clear_error();
  Bio bio = MemoryBio(text);
  if (bio == nullptr) return "OpenSSL: out of memory";
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  while (PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1) {
    const std::string block = name;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (absl::EndsWith(block, "PRIVATE KEY")) {
      ERR_clear_error();
      return absl::StrCat("its -----BEGIN ", block, "----- block is not a valid private key");
    }
  }
  if (!AtEndOfPem()) return absl::StrCat("a malformed PEM block (", TakeOpenSslReason(), ")");
  ERR_clear_error();
  return "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)";
}

absl::StatusOr<PrivateKey> ParsePrivateKey(const FlagFile& file, const std::string& text) {
  ERR_clear_error();
  Bio bio = MemoryBio(text);
  if (bio == nullptr) return absl::ResourceExhaustedError("OpenSSL: out of memory");
  bool password_wanted = false;
  PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassword, &password_wanted));
  ERR_clear_error();
  if (key != nullptr) return key;
  if (password_wanted) {
    return absl::InvalidArgumentError(
        absl::StrCat(Named(file), ": the private key is encrypted, and no password can be ",
                     "given: store it unencrypted, in a file only the program can read"));
  }
  return absl::InvalidArgumentError(absl::StrCat(Named(file), ": ", WhyNoPrivateKey(text)));
}

}  // namespace

absl::StatusOr<std::string> ReadCertificates(const FlagFile& file) {
  absl::StatusOr<std::string> text = ReadConfigFile(file.flag, file.path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Certificate> leaf = ParseCertificates(file, *text);
  if (!leaf.ok()) return leaf.status();
  return text;
}

absl::StatusOr<PemKeyPair> ReadKeyPair(const FlagFile& cert, const FlagFile& key) {
  absl::StatusOr<std::string> cert_text = ReadConfigFile(cert.flag, cert.path);
  if (!cert_text.ok()) return cert_text.status();
  absl::StatusOr<Certificate> leaf = ParseCertificates(cert, *cert_text);
  if (!leaf.ok()) return leaf.status();
  absl::StatusOr<std::string> key_text = ReadConfigFile(key.flag, key.path);
  if (!key_text.ok()) return key_text.status();
  absl::StatusOr<PrivateKey> private_key = ParsePrivateKey(key, *key_text);
  if (!private_key.ok()) return private_key.status();
  const bool matches = X509_check_private_key(leaf->get(), private_key->get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat(Named(key), " is not the private key of ",
                                                   Named(cert), " (its first certificate)"));
  }
  return PemKeyPair{*std::move(cert_text), *std::move(key_text)};
}

}  // namespace bank::security
