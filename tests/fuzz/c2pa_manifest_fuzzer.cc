// C2PA manifest reading on arbitrary input (Detect and the public detection
// endpoint read manifests from anyone's files): the JPEG/PNG/WebP
// containers, JUMBF, libcbor behind our CBOR accessors, COSE_Sign1 and the
// certificate handling, the hashed-URI and hard-binding checks.
//
// Each input is used three ways: as a whole JPEG, PNG and WebP file; as a
// manifest store placed in a fixed, well-formed PNG (so the JUMBF and claim
// readers are reached behind a valid container); and as a COSE_Sign1 over a
// fixed claim. Nothing from arbitrary bytes may validate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/fuzz/fuzz_keys.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/manifest_placement.h"
#include "watermark/provenance/c2pa/manifest_validator.h"

namespace {

namespace c2pa = hallmark::c2pa;
using hallmark::fuzz::FuzzCheck;

// A 1x1 grey PNG.
constexpr absl::string_view kTinyPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00"
    "\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0a\x49\x44\x41\x54\x78\x9c\x63\x68\x00"
    "\x00\x00\x82\x00\x81\x77\xcd\x72\xb6\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    67);

// Fixed, so that a crashing input reproduces: inside the validity of the
// seed corpus's certificates.
const absl::Time kNow = absl::FromUnixSeconds(1796083200);  // 2026-12-01

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  for (c2pa::AssetFormat format :
       {c2pa::AssetFormat::kJpeg, c2pa::AssetFormat::kPng, c2pa::AssetFormat::kWebp}) {
    const c2pa::ManifestValidation v = c2pa::ValidateManifest(format, input, kNow, {});
    // An accepted file may only be one whose every check held.
    FuzzCheck(!v.valid() || (v.signature_valid && v.hard_binding_valid));
    if (absl::StatusOr<c2pa::FoundManifest> found = c2pa::FindManifest(format, input); found.ok()) {
      FuzzCheck(found->range.start + found->range.length <= input.size());
      (void)c2pa::RemoveManifest(format, input);
    }
  }
  if (absl::StatusOr<c2pa::PlacedManifest> placed =
          c2pa::PlaceManifest(c2pa::AssetFormat::kPng, kTinyPng, input);
      placed.ok()) {
    const c2pa::ManifestValidation v =
        c2pa::ValidateManifest(c2pa::AssetFormat::kPng, placed->asset, kNow, {});
    // A store made of fuzzer bytes cannot bind this PNG... unless it is a
    // real signed store for exactly this PNG, which the fuzzer cannot forge.
    FuzzCheck(!v.valid());
  }
  const absl::StatusOr<c2pa::ClaimSignerInfo> signer =
      c2pa::VerifyClaimSignature(input, "fixed claim", kNow, {});
  FuzzCheck(!signer.ok());
  return 0;
}
