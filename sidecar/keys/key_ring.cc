#include "sidecar/keys/key_ring.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "watermark/base/status_macros.h"
#include "watermark/crypto/hmac_sha256.h"

namespace hallmark::sidecar {
namespace {

namespace fs = std::filesystem;
using ::hallmark::watermark::WatermarkKey;

absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::string HexEncode(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<std::string> KeyRing::ParseKeyFile(absl::string_view content) {
  const absl::string_view hex = absl::StripAsciiWhitespace(content);
  if (hex.size() < 2 * WatermarkKey::kMinSecretBytes || hex.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected at least ", 2 * WatermarkKey::kMinSecretBytes,
                     " hex digits (an even count), found ", hex.size(), " characters"));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(c)) {
      return absl::InvalidArgumentError("key files hold hex digits only");
    }
  }
  return absl::HexStringToBytes(hex);
}

absl::StatusOr<std::shared_ptr<const KeyRing>> KeyRing::LoadDirectory(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat("key directory ", dir, " does not exist"));
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    std::error_code type_error;
    if (!fs::is_regular_file(it->path(), type_error)) continue;  // follows links
    files.push_back(it->path());
  }
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot list key directory ", dir, ": ", error.message()));
  }
  std::sort(files.begin(), files.end());
  std::vector<std::shared_ptr<const WatermarkKey>> keys;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::string content(kMaxKeyFileBytes + 1, '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read key file ", path.string()));
    content.resize(static_cast<size_t>(in.gcount()));
    if (content.size() > kMaxKeyFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("key file ", path.string(), " is larger than ", kMaxKeyFileBytes, " bytes"));
    }
    absl::StatusOr<std::string> secret = ParseKeyFile(content);
    if (!secret.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key file ", path.string(), ": ", secret.status().message()));
    }
    auto key = WatermarkKey::Create(path.filename().string(), Bytes(*secret));
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key file ", path.string(), ": ", key.status().message()));
    }
    keys.push_back(*std::move(key));
  }
  if (keys.empty()) {
    return absl::NotFoundError(absl::StrCat("key directory ", dir, " holds no key files"));
  }
  return std::shared_ptr<const KeyRing>(
      new KeyRing(watermark::KeySet(std::move(keys)), /*ephemeral=*/false, dir));
}

absl::StatusOr<std::shared_ptr<const KeyRing>> KeyRing::Ephemeral() {
  std::array<uint8_t, 32> secret{};
  std::array<uint8_t, 4> suffix{};
  HM_RETURN_IF_ERROR(watermark::FillRandom(absl::MakeSpan(secret)));
  HM_RETURN_IF_ERROR(watermark::FillRandom(absl::MakeSpan(suffix)));
  const std::string id = absl::StrCat(
      "ephemeral-",
      HexEncode(absl::string_view(reinterpret_cast<const char*>(suffix.data()), suffix.size())));
  HM_ASSIGN_OR_RETURN(auto key, WatermarkKey::Create(id, secret));
  std::vector<std::shared_ptr<const WatermarkKey>> keys{std::move(key)};
  return std::shared_ptr<const KeyRing>(
      new KeyRing(watermark::KeySet(std::move(keys)), /*ephemeral=*/true, "ephemeral"));
}

absl::StatusOr<std::shared_ptr<const WatermarkKey>> KeyRing::ActiveKey(
    absl::string_view active_id) const {
  if (active_id.empty()) {
    if (keys_.size() == 1) return keys_.keys().front();
    std::vector<std::string> ids;
    for (const auto& key : keys_.keys()) ids.push_back(key->id());
    return absl::FailedPreconditionError(
        absl::StrCat(source_, " holds ", keys_.size(), " keys (", absl::StrJoin(ids, ", "),
                     "); name the one that marks in the policy's keys.active"));
  }
  for (const auto& key : keys_.keys()) {
    if (key->id() == active_id) return key;
  }
  return absl::NotFoundError(
      absl::StrCat("keys.active names \"", active_id, "\", which is not a key file in ", source_));
}

}  // namespace hallmark::sidecar
