#include "watermark/provenance/c2pa/manifest_validator.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "watermark/provenance/c2pa/asset_hash.h"
#include "watermark/provenance/c2pa/cbor_item.h"
#include "watermark/provenance/c2pa/jumbf_box.h"
#include "watermark/provenance/c2pa/manifest_labels.h"

namespace hallmark::c2pa {
namespace {

constexpr JumbfUuid kUpdateManifestUuid = C2paUuid("c2um");
// A data hash with more exclusions than this is not one we wrote or trust.
constexpr size_t kMaxExclusions = 64;

void Fail(ManifestValidation& v, absl::string_view code, absl::string_view detail) {
  v.failures.emplace_back(code);
  if (v.detail.empty()) v.detail = std::string(detail);
}

// The single 'cbor' payload of an assertion, claim or signature superbox.
const std::string* CborPayload(const JumbfSuperbox& box) {
  for (const JumbfContent& content : box.contents) {
    if (content.type == "cbor") return &content.payload;
  }
  return nullptr;
}

// Resolves a JUMBF URI ("self#jumbf=" relative to the manifest, or
// absolute "/c2pa/<manifest label>/...") to a superbox of `manifest`.
const JumbfSuperbox* Resolve(const JumbfSuperbox& manifest, absl::string_view url) {
  if (!absl::ConsumePrefix(&url, kSelfJumbf)) return nullptr;
  if (absl::ConsumePrefix(&url, "/")) {
    if (!absl::ConsumePrefix(&url, kManifestStoreLabel) || !absl::ConsumePrefix(&url, "/") ||
        !absl::ConsumePrefix(&url, manifest.label) || !absl::ConsumePrefix(&url, "/")) {
      return nullptr;  // another manifest: not ours to resolve
    }
  }
  const JumbfSuperbox* box = &manifest;
  for (absl::string_view part : absl::StrSplit(url, '/')) {
    box = box->Child(part);
    if (box == nullptr) return nullptr;
  }
  return box;
}

void ReadActions(const JumbfSuperbox& assertions, ManifestValidation& v) {
  const JumbfSuperbox* box = assertions.Child(kActionsLabel);
  const std::string* payload = box == nullptr ? nullptr : CborPayload(*box);
  if (payload == nullptr) return;
  absl::StatusOr<CborItem> actions = CborDecode(*payload);
  if (!actions.ok()) return;
  for (const cbor_item_t* action : CborArrayItems(CborMapGet(actions->get(), "actions"))) {
    if (CborAsText(CborMapGet(action, "action")) != "c2pa.created") continue;
    v.digital_source_type = CborAsText(CborMapGet(action, "digitalSourceType")).value_or("");
  }
}

void ReadSoftBinding(const JumbfSuperbox& assertions, ManifestValidation& v) {
  const JumbfSuperbox* box = assertions.Child(kSoftBindingLabel);
  const std::string* payload = box == nullptr ? nullptr : CborPayload(*box);
  if (payload == nullptr) return;
  absl::StatusOr<CborItem> binding = CborDecode(*payload);
  if (!binding.ok()) return;
  v.soft_binding_alg = CborAsText(CborMapGet(binding->get(), "alg")).value_or("");
  const std::vector<const cbor_item_t*> blocks =
      CborArrayItems(CborMapGet(binding->get(), "blocks"));
  if (!blocks.empty()) {
    v.soft_binding_value = CborAsText(CborMapGet(blocks.front(), "value")).value_or("");
  }
}

void CheckHardBinding(const JumbfSuperbox& assertions, absl::string_view asset,
                      const ByteRange& store_range, ManifestValidation& v) {
  const JumbfSuperbox* box = assertions.Child(kDataHashLabel);
  const std::string* payload = box == nullptr ? nullptr : CborPayload(*box);
  if (payload == nullptr) {
    Fail(v, "claim.hardBindings.missing", "the manifest has no c2pa.hash.data assertion");
    return;
  }
  absl::StatusOr<CborItem> data_hash = CborDecode(*payload);
  const std::optional<std::string> hash =
      data_hash.ok() ? CborAsBytes(CborMapGet(data_hash->get(), "hash")) : std::nullopt;
  if (!hash) {
    Fail(v, "assertion.dataHash.malformed", "the c2pa.hash.data assertion is unreadable");
    return;
  }
  const std::optional<std::string> alg = CborAsText(CborMapGet(data_hash->get(), "alg"));
  if (alg.has_value() && *alg != kHashAlg) {
    Fail(v, "algorithm.unsupported",
         absl::StrCat("data hash algorithm ", *alg, " is not supported"));
    return;
  }
  std::vector<ByteRange> exclusions;
  const std::vector<const cbor_item_t*> items =
      CborArrayItems(CborMapGet(data_hash->get(), "exclusions"));
  for (const cbor_item_t* item : items) {
    const std::optional<uint64_t> start = CborAsUint(CborMapGet(item, "start"));
    const std::optional<uint64_t> length = CborAsUint(CborMapGet(item, "length"));
    if (!start || !length || exclusions.size() == kMaxExclusions) {
      Fail(v, "assertion.dataHash.malformed", "unreadable exclusion range");
      return;
    }
    // An exclusion may only cover the manifest store's own container:
    // excluding anything else would leave content unsigned.
    if (*start < store_range.start || *length > store_range.length ||
        *start - store_range.start > store_range.length - *length) {
      Fail(v, "assertion.dataHash.mismatch",
           absl::StrCat("exclusion [", *start, ", +", *length,
                        ") reaches outside the manifest store's bytes"));
      return;
    }
    exclusions.push_back({static_cast<size_t>(*start), static_cast<size_t>(*length)});
  }
  const watermark::Sha256Digest digest = HashExcluding(asset, exclusions);
  if (absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()) != *hash) {
    Fail(v, "assertion.dataHash.mismatch",
         "the file's bytes do not match the manifest's hard binding (altered, or the manifest "
         "belongs to another file)");
    return;
  }
  v.hard_binding_valid = true;
  v.successes.emplace_back("assertion.dataHash.match");
}

}  // namespace

ManifestValidation ValidateManifest(AssetFormat format, absl::string_view asset, absl::Time now,
                                    const std::vector<std::string>& trust_anchors_der) {
  ManifestValidation v;
  absl::StatusOr<FoundManifest> found = FindManifest(format, asset);
  if (!found.ok()) {
    if (!absl::IsNotFound(found.status())) {
      v.present = true;
      Fail(v, "manifest.malformed", found.status().message());
    }
    return v;
  }
  v.present = true;
  absl::StatusOr<JumbfSuperbox> store = ParseJumbfSuperbox(found->store);
  if (!store.ok() || store->uuid != kManifestStoreUuid) {
    Fail(v, "manifest.malformed",
         store.ok() ? "not a C2PA manifest store" : store.status().message());
    return v;
  }
  const JumbfSuperbox* manifest = nullptr;
  for (const JumbfSuperbox& child : store->children) {
    if (child.uuid == kManifestUuid || child.uuid == kUpdateManifestUuid) manifest = &child;
  }
  if (manifest == nullptr) {
    Fail(v, "claim.missing", "the manifest store holds no manifest");
    return v;
  }
  v.manifest_label = manifest->label;
  const JumbfSuperbox* claim_box = manifest->Child(kClaimLabel);
  const std::string* claim_bytes = claim_box == nullptr ? nullptr : CborPayload(*claim_box);
  absl::StatusOr<CborItem> claim = claim_bytes == nullptr
                                       ? absl::StatusOr<CborItem>(absl::NotFoundError("no claim"))
                                       : CborDecode(*claim_bytes);
  if (!claim.ok() || !cbor_isa_map(claim->get())) {
    Fail(v, "claim.malformed", "the manifest has no readable c2pa.claim.v2");
    return v;
  }
  const cbor_item_t* generator = CborMapGet(claim->get(), "claim_generator_info");
  v.claim_generator = absl::StrCat(CborAsText(CborMapGet(generator, "name")).value_or(""), " ",
                                   CborAsText(CborMapGet(generator, "version")).value_or(""));

  // Signature.
  const std::optional<std::string> signature_url =
      CborAsText(CborMapGet(claim->get(), "signature"));
  const JumbfSuperbox* signature_box =
      signature_url ? Resolve(*manifest, *signature_url) : manifest->Child(kSignatureLabel);
  const std::string* cose = signature_box == nullptr ? nullptr : CborPayload(*signature_box);
  if (cose == nullptr) {
    Fail(v, "claimSignature.missing", "the claim's signature is missing");
  } else {
    absl::StatusOr<ClaimSignerInfo> signer =
        VerifyClaimSignature(*cose, *claim_bytes, now, trust_anchors_der);
    if (signer.ok()) {
      v.signature_valid = true;
      v.signer = *std::move(signer);
      v.successes.emplace_back("claimSignature.validated");
      if (v.signer.trusted) {
        v.successes.emplace_back("signingCredential.trusted");
      } else {
        Fail(v, "signingCredential.untrusted",
             absl::StrCat("the signer is not trusted: ", v.signer.trust_detail));
      }
    } else {
      switch (ClaimSignatureErrorOf(signer.status())) {
        case ClaimSignatureError::kMismatch:
          Fail(v, "claimSignature.mismatch", signer.status().message());
          break;
        case ClaimSignatureError::kUnsupportedAlgorithm:
          Fail(v, "algorithm.unsupported", signer.status().message());
          break;
        case ClaimSignatureError::kBadCredential:
        case ClaimSignatureError::kMalformed:
          Fail(v, "signingCredential.invalid", signer.status().message());
          break;
      }
    }
  }

  // Assertion references.
  const JumbfSuperbox* assertions = manifest->Child(kAssertionStoreLabel);
  bool references_ok = assertions != nullptr;
  for (const char* list : {"created_assertions", "gathered_assertions"}) {
    for (const cbor_item_t* ref : CborArrayItems(CborMapGet(claim->get(), list))) {
      const std::optional<std::string> url = CborAsText(CborMapGet(ref, "url"));
      const std::optional<std::string> hash = CborAsBytes(CborMapGet(ref, "hash"));
      const JumbfSuperbox* target = url ? Resolve(*manifest, *url) : nullptr;
      if (target == nullptr || !hash) {
        references_ok = false;
        Fail(v, "assertion.missing", absl::StrCat("assertion ", url.value_or("?"), " is missing"));
        continue;
      }
      const watermark::Sha256Digest digest = watermark::Sha256(target->parsed_body);
      if (absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()) != *hash) {
        references_ok = false;
        Fail(v, "assertion.hashedURI.mismatch", absl::StrCat("assertion ", *url, " was altered"));
      } else {
        v.successes.emplace_back("assertion.hashedURI.match");
      }
    }
  }
  v.assertions_valid = references_ok;
  if (assertions == nullptr) {
    Fail(v, "assertion.missing", "the manifest has no assertion store");
    return v;
  }
  ReadActions(*assertions, v);
  ReadSoftBinding(*assertions, v);
  CheckHardBinding(*assertions, asset, found->range, v);
  return v;
}

}  // namespace hallmark::c2pa
