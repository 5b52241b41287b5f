// What the load generator sends: parsed from --workload specs such as
// "text:4096", "detect:4k", "stream:50tps", "stream:50tps:400w",
// "image:1024x1024:jpeg", "image:512x512:webp:q80" or
// "detect-image:1024x1024:png".
#ifndef HALLMARK_BENCH_LOADGEN_WORKLOAD_H_
#define HALLMARK_BENCH_LOADGEN_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::loadgen {

enum class WorkloadKind {
  kText,         // unary MarkText with a fresh text of `bytes` per request
  kDetect,       // unary Detect on one text of `bytes`, marked once at start-up
  kStream,       // MarkTextStream, one word per message at `tokens_per_second`
  kImage,        // unary MarkImage with one photo-like image, made once at start-up
  kDetectImage,  // unary Detect on that image, marked once by the target at start-up
};

// The container an image workload sends (and asks back: output = input).
enum class ImageWorkloadFormat { kJpeg, kPng, kWebp, kRaw };

// "jpeg", "png", "webp" or "raw": the name MarkImageRequest.format takes.
absl::string_view ImageWorkloadFormatName(ImageWorkloadFormat format);

struct WorkloadSpec {
  std::string name;  // canonical spec, e.g. "text:4096" or "image:1024x1024:jpeg"
  WorkloadKind kind = WorkloadKind::kText;
  size_t bytes = 0;              // kText, kDetect
  double tokens_per_second = 0;  // kStream
  int stream_words = 400;        // kStream: words per streamed text
  // kImage, kDetectImage.
  int width = 0;
  int height = 0;
  ImageWorkloadFormat image_format = ImageWorkloadFormat::kJpeg;
  // JPEG / WebP quality the image is encoded with, 1..100; 0 = the codec's
  // default (90 for both).
  int quality = 0;

  bool unary() const { return kind != WorkloadKind::kStream; }
  bool image() const { return kind == WorkloadKind::kImage || kind == WorkloadKind::kDetectImage; }
};

inline constexpr size_t kMaxWorkloadBytes = size_t{64} << 20;
// Image workloads: each side 1..kMaxImageSide, at most kMaxImagePixels (the
// codec's and hallmarkd's default limits).
inline constexpr int kMaxImageSide = 16384;
inline constexpr int64_t kMaxImagePixels = 50'000'000;

// Parses one spec. Sizes are bytes, or with a k/K (x1024) or m/M (x1048576)
// suffix. Image specs are image:WIDTHxHEIGHT:FORMAT[:qQUALITY] and
// detect-image:WIDTHxHEIGHT:FORMAT[:qQUALITY] with FORMAT jpeg (or jpg), png,
// webp or raw; the quality suffix only for jpeg and webp.
absl::StatusOr<WorkloadSpec> ParseWorkload(absl::string_view spec);

// Parses every spec in `flags`, each of which may hold several separated by
// commas.
absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(const std::vector<std::string>& flags);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_WORKLOAD_H_
