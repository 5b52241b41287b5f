// The C2PA layer's cost per marked image, beyond the watermark (issue 7
// target: <= 3 ms per 1024x1024 JPEG on one core): building, signing
// (ES256) and embedding a manifest into an already encoded file, and
// validating one (what Detect adds). The files are the astronaut photo
// (tests/data/images/astronaut.jpg) resized to 1024x1024 and 1920x1080 and
// encoded by our codecs (JPEG q90, PNG, WebP q90), as MarkImage would.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/eval/image_ops.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/development_credentials.h"
#include "watermark/provenance/c2pa/manifest_validator.h"
#include "watermark/provenance/c2pa/manifest_writer.h"

namespace hallmark::c2pa {
namespace {

template <typename T>
T MustOk(absl::StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "c2pa_benchmark: %s\n", std::string(value.status().message()).c_str());
    std::abort();
  }
  return *std::move(value);
}

const ClaimSigner& Signer() {
  static const ClaimSigner* signer = [] {
    SigningCredentialsPem pem = MustOk(GenerateDevelopmentCredentials(absl::Now()));
    return MustOk(ClaimSigner::FromPem(pem.private_key_pem, pem.chain_pem)).release();
  }();
  return *signer;
}

image::ImageFormat CodecFormat(AssetFormat format) {
  switch (format) {
    case AssetFormat::kJpeg:
      return image::ImageFormat::kJpeg;
    case AssetFormat::kPng:
      return image::ImageFormat::kPng;
    case AssetFormat::kWebp:
      return image::ImageFormat::kWebp;
  }
  return image::ImageFormat::kPng;
}

// The photo at width x height, encoded as `format`; cached per argument set.
const std::string& EncodedPhoto(AssetFormat format, int width, int height) {
  static auto* cache = new std::map<std::tuple<int, int, int>, std::string>();
  std::string& entry = (*cache)[{static_cast<int>(format), width, height}];
  if (entry.empty()) {
    std::ifstream in(absl::StrCat(HALLMARK_IMAGE_DIR, "/astronaut.jpg"), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    image::DecodedImage photo = MustOk(image::DecodeImage(bytes.str()));
    image::Image sized = MustOk(eval::BilinearResize(photo.pixels, width, height));
    eval::Quantize8(&sized);
    image::EncodeOptions options;
    options.format = CodecFormat(format);
    options.jpeg_quality = 90;
    entry = MustOk(image::EncodeImage(sized, image::ImageMetadata{}, options));
  }
  return entry;
}

void BM_WriteManifest(benchmark::State& state) {
  const auto format = static_cast<AssetFormat>(state.range(0));
  const std::string& asset =
      EncodedPhoto(format, static_cast<int>(state.range(1)), static_cast<int>(state.range(2)));
  ManifestFacts facts;
  facts.generator_version = "bench";
  facts.watermark_payload_id = "a3538f104c83e9";
  for (auto _ : state) {
    SignedAsset out = MustOk(WriteManifest(format, asset, facts, Signer()));
    benchmark::DoNotOptimize(out.asset.data());
  }
  state.SetLabel(absl::StrCat(MediaType(format), " ", asset.size() / 1024, " KiB"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * asset.size()));
}

void BM_ValidateManifest(benchmark::State& state) {
  const auto format = static_cast<AssetFormat>(state.range(0));
  const std::string& asset =
      EncodedPhoto(format, static_cast<int>(state.range(1)), static_cast<int>(state.range(2)));
  ManifestFacts facts;
  facts.watermark_payload_id = "a3538f104c83e9";
  const SignedAsset signed_asset = MustOk(WriteManifest(format, asset, facts, Signer()));
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    ManifestValidation v = ValidateManifest(format, signed_asset.asset, now, {});
    if (!v.valid()) std::abort();
    benchmark::DoNotOptimize(v);
  }
  state.SetLabel(absl::StrCat(MediaType(format), " ", asset.size() / 1024, " KiB"));
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (AssetFormat format : {AssetFormat::kJpeg, AssetFormat::kPng, AssetFormat::kWebp}) {
    b->Args({static_cast<int>(format), 1024, 1024});
    b->Args({static_cast<int>(format), 1920, 1080});
  }
  b->ArgNames({"format", "w", "h"})->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_WriteManifest)->Apply(Sizes);
BENCHMARK(BM_ValidateManifest)->Apply(Sizes);

}  // namespace
}  // namespace hallmark::c2pa

BENCHMARK_MAIN();
