// Pixel operations the evaluation tool applies to images: resampling,
// cropping, rotation, flips and 8-bit quantisation, written here (not taken
// from the scheme) so an attack never shares code with the detector it
// attacks. They work on every channel of a planar float Image (samples on
// the 8-bit scale) and return new images; inputs are never modified.
//
// All functions are pure and thread-safe.
#ifndef HALLMARK_BENCH_EVAL_IMAGE_OPS_H_
#define HALLMARK_BENCH_EVAL_IMAGE_OPS_H_

#include "absl/status/statusor.h"
#include "watermark/image/codec/image.h"

namespace hallmark::eval {

// Exact area (box) resampling: each output sample is the mean of the input
// area it covers, boundary samples weighted by their overlap. The
// anti-aliased downscale that image editors call "area" or "box"; also used
// for upscales, where it degenerates to nearest-neighbour-like blocks (use
// BilinearResize for those).
absl::StatusOr<image::Image> AreaResize(const image::Image& src, int width, int height);

// Bilinear interpolation with sample centres aligned ((x + 0.5) * scale -
// 0.5) and edges clamped, without anti-aliasing: the usual upscaler.
absl::StatusOr<image::Image> BilinearResize(const image::Image& src, int width, int height);

// The rectangle [x, x + width) x [y, y + height), which must lie inside.
absl::StatusOr<image::Image> Crop(const image::Image& src, int x, int y, int width, int height);

// The centred crop keeping `area_fraction` (0, 1] of the area with the
// aspect ratio kept: each side scaled by sqrt(area_fraction) and rounded.
absl::StatusOr<image::Image> CropCentre(const image::Image& src, double area_fraction);

// Rotation by `degrees` counter-clockwise as displayed (y down) about the
// image centre, on the same canvas: bilinear sampling, samples that fall
// outside the source read as `fill` (so the corners become `fill` and the
// border blends into it, as OpenCV's warpAffine with a constant border).
absl::StatusOr<image::Image> Rotate(const image::Image& src, double degrees, float fill = 0.0f);

// Mirrored left-right.
absl::StatusOr<image::Image> FlipHorizontal(const image::Image& src);

// A gray (or gray+alpha) image expanded to RGB (RGBA); other models are
// cloned unchanged.
absl::StatusOr<image::Image> ToRgb(const image::Image& src);

// Clamps every sample to [0, 255] and rounds it to the nearest integer, in
// place: what saving as 8-bit PNG does.
void Quantize8(image::Image* image);

// Mean BT.601 luminance (0.299 R + 0.587 G + 0.114 B; the gray channel of
// gray images) over the whole image.
double MeanLuminance(const image::Image& image);

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_IMAGE_OPS_H_
