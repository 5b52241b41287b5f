// Resampling between a full-size float plane and a small grid: exact area
// (box) averaging down, bilinear interpolation up. Both are separable and
// touch each full-size sample once, so their cost is linear in the pixel
// count with a small constant; the grid side is what the watermark works on.
#ifndef HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_PLANE_RESAMPLER_H_
#define HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_PLANE_RESAMPLER_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace hallmark::image {

// A read-only view of a float plane with a row stride (in floats).
struct PlaneView {
  const float* data = nullptr;
  int width = 0;
  int height = 0;
  size_t stride = 0;
  const float* Row(int y) const { return data + static_cast<size_t>(y) * stride; }
};

// A small dense grid of doubles, row-major.
struct Grid {
  int width = 0;
  int height = 0;
  std::vector<double> values;

  Grid() = default;
  Grid(int w, int h, double fill = 0.0)
      : width(w), height(h), values(static_cast<size_t>(w) * h, fill) {}
  double& at(int x, int y) { return values[static_cast<size_t>(y) * width + x]; }
  double at(int x, int y) const { return values[static_cast<size_t>(y) * width + x]; }
};

// Cell means (and, when `variance` is not null, the variance of the samples
// inside each cell) of `plane` divided into `grid_width` x `grid_height`
// equal cells. Cell edges need not fall on sample edges: boundary samples are
// weighted by the overlap. Works for grids larger than the plane too (each
// cell then sees a fraction of one sample).
Grid AreaDownscale(const PlaneView& plane, int grid_width, int grid_height,
                   Grid* variance = nullptr);

// Adds the bilinear upsampling of `grid` (sample centres aligned, edges
// clamped) to `plane` (width x height, `stride` floats per row). Returns the
// sum of the squared added values.
double AddBilinearUpsample(const Grid& grid, float* plane, int width, int height, size_t stride);

// The mean squared value per sample that AddBilinearUpsample adds for a grid
// of independent unit-variance cells: how much of a grid's energy reaches the
// full-size plane (4/9 for large upscales, 1 for none).
double BilinearEnergyFactor(int width, int height, int grid_width, int grid_height);

// The grid-to-grid linear map "AddBilinearUpsample to a plane, then
// AreaDownscale it back" along one axis of `size` samples and `cells` cells:
// row c holds the (cell, weight) pairs that make up output cell c. Used to
// predict exactly what a detector will see of a residual, without touching
// the full-size plane.
struct AxisRoundTrip {
  std::vector<std::vector<std::pair<int, double>>> rows;
};
AxisRoundTrip ComputeAxisRoundTrip(int size, int cells);

// Applies the separable round trip (`x` along rows, `y` along columns).
Grid ApplyRoundTrip(const Grid& grid, const AxisRoundTrip& x, const AxisRoundTrip& y);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_PLANE_RESAMPLER_H_
