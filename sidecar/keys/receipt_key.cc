#include "sidecar/keys/receipt_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "sidecar/keys/key_file.h"

namespace hallmark::sidecar {

absl::StatusOr<ReceiptKey> LoadReceiptKey(const std::string& path) {
  ReceiptKey key;
  if (path.empty()) {
    absl::StatusOr<std::unique_ptr<provenance::ReceiptSigner>> signer =
        provenance::ReceiptSigner::Generate();
    if (!signer.ok()) return signer.status();
    key.signer = *std::move(signer);
    key.ephemeral = true;
    key.source = "ephemeral";
    return key;
  }
  absl::StatusOr<std::string> read = ReadKeyFile(path, kMaxReceiptKeyFileBytes, "receipt key file");
  if (!read.ok()) return read.status();
  std::string& content = *read;
  absl::StatusOr<std::unique_ptr<provenance::ReceiptSigner>> signer =
      provenance::ReceiptSigner::FromPrivateKeyPem(content);
  // The buffer held the private key.
  std::fill(content.begin(), content.end(), '\0');
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt key file ", path, ": ", signer.status().message()));
  }
  key.signer = *std::move(signer);
  key.source = path;
  return key;
}

absl::Status WriteReceiptPublicKey(const provenance::ReceiptSigner& signer,
                                   const std::string& path) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", temporary, ": ", std::strerror(errno)));
  }
  const std::string& pem = signer.public_key_pem();
  const bool written = write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  const bool closed = close(fd) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    unlink(temporary.c_str());
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write the receipt public key to ", path, ": ", reason));
  }
  return absl::OkStatus();
}

std::string OneLinePublicKey(const provenance::ReceiptSigner& signer) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(signer.public_key_pem(), '\n')) {
    if (line.empty() || absl::StartsWith(line, "-----")) continue;
    absl::StrAppend(&out, line);
  }
  return out;
}

}  // namespace hallmark::sidecar
