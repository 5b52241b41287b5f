// The `canonical-grid` image scheme: a keyed spread-spectrum mark on a fixed
// 128 x 128 grid of area-averaged luminance cells, whatever the image size.
//
//   Mark:   area-downscale Y to the grid (cell means and in-cell variance) →
//           per-cell strength from local texture → for each of the 141 coded
//           bits (88-bit payload, K=7 convolutional code, rate 2/3), a keyed
//           set of ~116 cells with keyed ±1 chips, amplitude adjusted against
//           the host's own projection (improved spread spectrum) → the grid
//           residual is bilinearly upsampled to full size and added to Y.
//   Detect: area-downscale to a 256 x 256 analysis image → for each geometry
//           hypothesis (identity, flip, centre crops, small rotations) sample
//           the grid, high-pass it, correlate with each key's chips with
//           texture-aware weights → soft Viterbi → MAC check.
//
// Cost is two passes over the full-resolution plane per Mark and one per
// Detect; everything else runs on the grid. Design and limits:
// docs/image-watermark.md.
#ifndef HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_CANONICAL_GRID_SCHEME_H_
#define HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_CANONICAL_GRID_SCHEME_H_

#include "watermark/image/image_scheme.h"

namespace hallmark::image {

struct CanonicalGridOptions {
  // Strength cap: the residual is scaled down when its expected full-size
  // luminance PSNR would fall below this. Textured images reach the cap;
  // flat ones stay above it (their strength is limited per cell instead).
  double min_psnr_db = 42.5;
  // Try the flip / crop / rotation hypotheses when the identity geometry
  // does not verify. Off: one geometry per key (fastest; survives re-encoding,
  // resizing and colour changes, not crops or rotations).
  bool geometry_search = true;
};

// Immutable and thread-safe.
class CanonicalGridScheme final : public ImageScheme {
 public:
  static constexpr absl::string_view kName = "canonical-grid";
  static constexpr int kGridSize = 128;
  static constexpr int kMinDimension = 64;

  explicit CanonicalGridScheme(CanonicalGridOptions options = {});

  // ImageScheme:
  absl::string_view name() const override { return kName; }
  int min_dimension() const override { return kMinDimension; }
  absl::StatusOr<ImageMarkResult> Mark(Image* image, const watermark::PayloadFields& payload,
                                       const watermark::WatermarkKey& key) const override;
  ImageDetection Detect(const Image& image, const watermark::KeySet& keys) const override;

 private:
  CanonicalGridOptions options_;
};

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_CANONICAL_GRID_SCHEME_H_
