// hallmark keygen: writes a new random key file (or, with --receipt, an
// Ed25519 receipt signing key pair).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sidecar/keys/key_ring.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/key/watermark_key.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::cli {
namespace {

// Creates `path` with `mode`, refusing to overwrite (O_EXCL).
absl::Status WriteNewFile(const std::string& path, const std::string& content, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  close(fd);
  if (!written) return absl::DataLossError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// hallmark keygen --receipt --out DIR: an Ed25519 receipt signing key pair.
int KeygenReceipt(const Args& args) {
  if (args.Has("id")) return UsageError("keygen", "--id names watermark keys, not receipt keys");
  const std::string dir = args.Get("out");
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UsageError("keygen", absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
  }
  absl::StatusOr<std::string> private_pem = provenance::GenerateReceiptPrivateKeyPem();
  if (!private_pem.ok()) return UsageError("keygen", std::string(private_pem.status().message()));
  absl::StatusOr<std::unique_ptr<provenance::ReceiptSigner>> signer =
      provenance::ReceiptSigner::FromPrivateKeyPem(*private_pem);
  if (!signer.ok()) return UsageError("keygen", std::string(signer.status().message()));
  const std::string private_path = absl::StrCat(dir, "/receipt_key.pem");
  const std::string public_path = absl::StrCat(dir, "/receipt_public_key.pem");
  // O_EXCL: never overwrite a key, which would orphan the receipts made with it.
  absl::Status written = WriteNewFile(private_path, *private_pem, 0600);
  std::fill(private_pem->begin(), private_pem->end(), '\0');
  if (written.ok()) written = WriteNewFile(public_path, (*signer)->public_key_pem(), 0644);
  if (!written.ok()) return UsageError("keygen", std::string(written.message()));
  JsonLine json;
  json.Add("receipt_kid", (*signer)->key_id())
      .Add("private_key", private_path)
      .Add("public_key", public_path);
  std::fputs(json.str().c_str(), stdout);
  return kExitOk;
}

}  // namespace

int RunKeygen(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"out", "id"}, {"receipt"});
  if (!args.ok()) return UsageError("keygen", std::string(args.status().message()));
  if (!args->Has("out")) return UsageError("keygen", "--out DIR is required");
  if (args->Has("receipt")) return KeygenReceipt(*args);
  std::array<uint8_t, 32> secret{};
  std::array<uint8_t, 2> suffix{};
  if (!watermark::FillRandom(absl::MakeSpan(secret)).ok() ||
      !watermark::FillRandom(absl::MakeSpan(suffix)).ok()) {
    return UsageError("keygen", "no random bytes available");
  }
  const std::string id = args->Get(
      "id", absl::StrCat("k", absl::FormatTime("%Y%m%d", absl::Now(), absl::UTCTimeZone()), "-",
                         sidecar::HexEncode(
                             absl::string_view(reinterpret_cast<const char*>(suffix.data()), 2))));
  if (absl::Status valid = watermark::ValidateKeyId(id); !valid.ok()) {
    return UsageError("keygen", absl::StrCat("--id: ", valid.message()));
  }
  const std::string dir = args->Get("out");
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UsageError("keygen", absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
  }
  const std::string path = absl::StrCat(dir, "/", id);
  // O_EXCL: never overwrite a key, which would orphan every mark made with it.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return UsageError("keygen", absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  const std::string content = sidecar::HexEncode(absl::string_view(
                                  reinterpret_cast<const char*>(secret.data()), secret.size())) +
                              "\n";
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  close(fd);
  if (!written) return UsageError("keygen", absl::StrCat("cannot write ", path));
  JsonLine json;
  json.Add("key_id", id).Add("path", path);
  std::fputs(json.str().c_str(), stdout);
  return kExitOk;
}

}  // namespace hallmark::cli
