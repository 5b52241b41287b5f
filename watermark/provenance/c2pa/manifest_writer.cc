#include "watermark/provenance/c2pa/manifest_writer.h"

#include <array>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/provenance/c2pa/asset_hash.h"
#include "watermark/provenance/c2pa/cbor_item.h"
#include "watermark/provenance/c2pa/jumbf_box.h"
#include "watermark/provenance/c2pa/manifest_labels.h"

namespace hallmark::c2pa {
namespace {

// Placement sizes converge in two or three rounds (only the width of the
// CBOR integer holding the exclusion length can change).
constexpr int kMaxSizingRounds = 6;

absl::StatusOr<std::string> RandomUuid() {
  std::array<uint8_t, 16> b{};
  if (absl::Status filled = watermark::FillRandom(absl::MakeSpan(b)); !filled.ok()) return filled;
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

CborItem GeneratorInfo(const ManifestFacts& facts) {
  CborMapBuilder info;
  info.Add("name", CborText(facts.generator_name));
  if (!facts.generator_version.empty()) info.Add("version", CborText(facts.generator_version));
  return info.Build();
}

std::string ActionsAssertion(const ManifestFacts& facts) {
  std::vector<CborItem> actions;
  actions.push_back(CborMapBuilder()
                        .Add("action", CborText("c2pa.created"))
                        .Add("softwareAgent", GeneratorInfo(facts))
                        .Add("digitalSourceType", CborText(facts.digital_source_type))
                        .Build());
  CborItem assertion = CborMapBuilder().Add("actions", CborArray(actions)).Build();
  return CborEncode(assertion.get());
}

std::string SoftBindingAssertion(const ManifestFacts& facts) {
  std::vector<CborItem> blocks;
  blocks.push_back(CborMapBuilder()
                       .Add("scope", CborMapBuilder().Build())
                       .Add("value", CborText(facts.watermark_payload_id))
                       .Build());
  CborItem assertion = CborMapBuilder()
                           .Add("alg", CborText(facts.soft_binding_alg))
                           .Add("blocks", CborArray(blocks))
                           .Add("pad", CborBytes(""))
                           .Build();
  return CborEncode(assertion.get());
}

std::string DataHashAssertion(const ByteRange& exclusion, absl::string_view hash) {
  std::vector<CborItem> exclusions;
  exclusions.push_back(CborMapBuilder()
                           .Add("start", CborUint(exclusion.start))
                           .Add("length", CborUint(exclusion.length))
                           .Build());
  CborItem assertion = CborMapBuilder()
                           .Add("exclusions", CborArray(exclusions))
                           .Add("name", CborText("jumbf manifest"))
                           .Add("alg", CborText(kHashAlg))
                           .Add("hash", CborBytes(hash))
                           .Add("pad", CborBytes(""))
                           .Build();
  return CborEncode(assertion.get());
}

// Everything in a manifest except the hard binding's values.
struct ManifestIdentity {
  std::string label;        // urn:c2pa:<uuid>
  std::string instance_id;  // xmp:iid:<uuid>
};

// With `sign` false the signature is zeros of the real one's size: the
// store has its final size without spending a signature on it.
absl::StatusOr<std::string> BuildStore(const ManifestFacts& facts, const ManifestIdentity& id,
                                       const ByteRange& exclusion, absl::string_view hash,
                                       const ClaimSigner& signer, bool sign) {
  JumbfSuperbox assertions;
  assertions.uuid = kAssertionStoreUuid;
  assertions.label = std::string(kAssertionStoreLabel);
  assertions.children.push_back(
      CborSuperbox(kCborContentUuid, kActionsLabel, ActionsAssertion(facts)));
  assertions.children.push_back(
      CborSuperbox(kCborContentUuid, kSoftBindingLabel, SoftBindingAssertion(facts)));
  assertions.children.push_back(
      CborSuperbox(kCborContentUuid, kDataHashLabel, DataHashAssertion(exclusion, hash)));

  std::vector<CborItem> created;
  for (const JumbfSuperbox& assertion : assertions.children) {
    const watermark::Sha256Digest digest = watermark::Sha256(SerializeJumbfBody(assertion));
    created.push_back(
        CborMapBuilder()
            .Add("url", CborText(AssertionUrl(assertion.label)))
            .Add("hash", CborBytes(absl::string_view(reinterpret_cast<const char*>(digest.data()),
                                                     digest.size())))
            .Build());
  }
  CborItem claim = CborMapBuilder()
                       .Add("instanceID", CborText(id.instance_id))
                       .Add("claim_generator_info", GeneratorInfo(facts))
                       .Add("signature", CborText(SignatureUrl(id.label)))
                       .Add("created_assertions", CborArray(created))
                       .Add("alg", CborText(kHashAlg))
                       .Build();
  std::string claim_bytes = CborEncode(claim.get());
  absl::StatusOr<std::string> signature =
      sign ? signer.Sign(claim_bytes) : std::string(signer.signature_size(), '\0');
  if (!signature.ok()) return signature.status();

  JumbfSuperbox manifest;
  manifest.uuid = kManifestUuid;
  manifest.label = id.label;
  manifest.children.push_back(std::move(assertions));
  manifest.children.push_back(CborSuperbox(kClaimUuid, kClaimLabel, std::move(claim_bytes)));
  manifest.children.push_back(CborSuperbox(kSignatureUuid, kSignatureLabel, *std::move(signature)));
  JumbfSuperbox store;
  store.uuid = kManifestStoreUuid;
  store.label = std::string(kManifestStoreLabel);
  store.children.push_back(std::move(manifest));
  return SerializeJumbf(store);
}

}  // namespace

absl::StatusOr<SignedAsset> WriteManifest(AssetFormat format, absl::string_view asset,
                                          const ManifestFacts& facts, const ClaimSigner& signer) {
  absl::StatusOr<std::string> uuid = RandomUuid();
  if (!uuid.ok()) return uuid.status();
  const ManifestIdentity id{absl::StrCat("urn:c2pa:", *uuid), absl::StrCat("xmp:iid:", *uuid)};
  const std::string placeholder_hash(watermark::Sha256Digest().size(), '\0');

  // Size the store: place it with a placeholder hash until the exclusion it
  // states is the range it occupies.
  ByteRange exclusion;
  absl::StatusOr<PlacedManifest> placed;
  for (int round = 0;; ++round) {
    if (round == kMaxSizingRounds) return absl::InternalError("C2PA manifest size did not settle");
    absl::StatusOr<std::string> store =
        BuildStore(facts, id, exclusion, placeholder_hash, signer, /*sign=*/false);
    if (!store.ok()) return store.status();
    placed = PlaceManifest(format, asset, *store);
    if (!placed.ok()) return placed.status();
    if (placed->range == exclusion) break;
    exclusion = placed->range;
  }

  const watermark::Sha256Digest digest = HashExcluding(placed->asset, {exclusion});
  absl::StatusOr<std::string> store = BuildStore(
      facts, id, exclusion,
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()), signer,
      /*sign=*/true);
  if (!store.ok()) return store.status();
  absl::StatusOr<PlacedManifest> final_asset = PlaceManifest(format, asset, *store);
  if (!final_asset.ok()) return final_asset.status();
  if (!(final_asset->range == exclusion) || final_asset->asset.size() != placed->asset.size()) {
    return absl::InternalError("C2PA manifest changed size after hashing");
  }
  SignedAsset out;
  out.asset = std::move(final_asset->asset);
  out.manifest_label = id.label;
  out.store_bytes = store->size();
  out.range = exclusion;
  return out;
}

}  // namespace hallmark::c2pa
