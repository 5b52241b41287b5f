// The image an image workload sends: a real photo, centre-cropped to the
// requested aspect ratio, resized (bilinear) to the requested size and
// encoded with Hallmark's own codec in the requested format, once at
// start-up. Every request sends the same bytes: nothing random is added at
// send time, so the generator's own cost per call is one copy.
//
// Upscaled photos are smoother than native photos of that size (bilinear
// adds no detail), which makes them compress better; PNG and WebP costs
// depend on that, JPEG's and the watermark's barely do.
#ifndef HALLMARK_BENCH_LOADGEN_WORKLOAD_IMAGE_H_
#define HALLMARK_BENCH_LOADGEN_WORKLOAD_IMAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/loadgen/workload.h"
#include "watermark/image/codec/image.h"

namespace hallmark::loadgen {

// Immutable once made; shared (read-only) by every call of a workload.
struct WorkloadImage {
  std::string bytes;  // the encoded image (packed RGB rows for raw)
  ImageWorkloadFormat format = ImageWorkloadFormat::kJpeg;
  int width = 0;
  int height = 0;
  int channels = 3;  // raw: bytes per pixel (RGB)
  // Where it came from, e.g. "astronaut.jpg 512x512, centre crop 512x512,
  // bilinear to 1024x1024, jpeg q90 4:2:0 baseline".
  std::string description;
};

// Makes the image of an image workload (spec.image() must hold). `source` is
// a photo file, or a directory whose JPEG/PNG/WebP colour photos (not
// recursive) are candidates: the one whose centre crop of the target's
// aspect ratio is largest (the least upscaling) is used, ties going to the
// first name in byte order. Deterministic: the same spec and source give the
// same bytes.
absl::StatusOr<WorkloadImage> MakeWorkloadImage(const WorkloadSpec& spec, absl::string_view source);

// The centre crop of `src` with the aspect ratio width:height, resampled
// bilinearly (sample centres aligned, edges clamped, no anti-aliasing) to
// width x height. Every channel; the color model is kept. Exposed for tests.
absl::StatusOr<image::Image> CropAndResize(const image::Image& src, int width, int height);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_WORKLOAD_IMAGE_H_
