#include "watermark/image/canonical_grid/geometry_hypothesis.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/strings/str_format.h"

namespace hallmark::image {

std::string GeometryHypothesis::Name() const {
  std::string name;
  if (flip) name = "flip";
  if (crop_scale != 1.0) {
    absl::StrAppendFormat(&name, "%scrop:%.3f", name.empty() ? "" : "+", crop_scale);
  }
  if (rotate_degrees != 0) {
    absl::StrAppendFormat(&name, "%srotate:%+.1f", name.empty() ? "" : "+", rotate_degrees);
  }
  return name.empty() ? "identity" : name;
}

std::vector<GeometryHypothesis> SearchGeometries() {
  std::vector<GeometryHypothesis> out;
  out.push_back({});
  out.push_back({.flip = true});
  // Centre crops, spaced so that the outermost kept cell is off by at most
  // about half a cell between neighbouring hypotheses.
  for (double scale : {0.95, 0.9, 0.85, 0.8, 0.75, 0.707, 0.66, 0.62}) {
    out.push_back({.crop_scale = scale});
  }
  for (double degrees : {-1.0, 1.0, -2.0, 2.0, -3.0, 3.0}) {
    out.push_back({.rotate_degrees = degrees});
  }
  for (double scale : {0.9, 0.8, 0.707}) out.push_back({.flip = true, .crop_scale = scale});
  return out;
}

namespace {

// Bilinear sample of `g` at (x, y) in sample coordinates, edges clamped.
// The grid is at least 2 x 2.
inline double Bilinear(const double* g, int width, int height, double x, double y) {
  x = std::clamp(x, 0.0, width - 1.0);
  y = std::clamp(y, 0.0, height - 1.0);
  const int x0 = std::min(static_cast<int>(x), width - 2);
  const int y0 = std::min(static_cast<int>(y), height - 2);
  const double tx = x - x0, ty = y - y0;
  const double* row = g + static_cast<size_t>(y0) * width + x0;
  const double top = row[0] + tx * (row[1] - row[0]);
  const double bottom = row[width] + tx * (row[width + 1] - row[width]);
  return top + ty * (bottom - top);
}

}  // namespace

Grid SampleGrid(const Grid& analysis, double aspect, const GeometryHypothesis& hypothesis,
                int grid_size, CellMask* valid) {
  Grid out(grid_size, grid_size);
  valid->assign(static_cast<size_t>(grid_size) * grid_size, 0);

  // The hypothesis is affine from the marked image's normalised coordinates
  // (u, v) to the analysis image's sample coordinates (x, y):
  //   x = x0 + xu u + xv v,  y = y0 + yu u + yv v.
  const double radians = hypothesis.rotate_degrees * std::numbers::pi / 180.0;
  const double c = std::cos(radians), s = std::sin(radians);
  const double k = 1.0 / hypothesis.crop_scale;
  const double flip = hypothesis.flip ? -1.0 : 1.0;
  // Centred: dx = flip (u - 1/2) k aspect, dy = (v - 1/2) k (received
  // height units); rotated: rx = c dx - s dy, ry = s dx + c dy; then
  // ru = 1/2 + rx / aspect, rv = 1/2 + ry.
  const double ru_u = c * flip * k, ru_v = -s * k / aspect;
  const double rv_u = s * flip * k * aspect, rv_v = c * k;
  const double ru_0 = 0.5 - 0.5 * (ru_u + ru_v), rv_0 = 0.5 - 0.5 * (rv_u + rv_v);
  const double aw = analysis.width, ah = analysis.height;
  const double xu = ru_u * aw, xv = ru_v * aw, x0 = ru_0 * aw - 0.5;
  const double yu = rv_u * ah, yv = rv_v * ah, y0 = rv_0 * ah - 0.5;
  // One bilinear tap at each cell's centre: on an analysis image twice the
  // grid it averages the 2 x 2 samples the cell covers (exactly so for the
  // identity). Cells whose centre falls outside the received image are
  // invalid.
  const double* g = analysis.values.data();
  for (int gy = 0; gy < grid_size; ++gy) {
    const double v = (gy + 0.5) / grid_size;
    for (int gx = 0; gx < grid_size; ++gx) {
      const double u = (gx + 0.5) / grid_size;
      const double x = x0 + xu * u + xv * v, y = y0 + yu * u + yv * v;
      if (x < -0.5 || x > aw - 0.5 || y < -0.5 || y > ah - 0.5) continue;
      out.at(gx, gy) = Bilinear(g, analysis.width, analysis.height, x, y);
      (*valid)[static_cast<size_t>(gy) * grid_size + gx] = 1;
    }
  }
  return out;
}

}  // namespace hallmark::image
