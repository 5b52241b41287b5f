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

double Bilinear(const Grid& g, double x, double y) {
  x = std::clamp(x, 0.0, g.width - 1.0);
  y = std::clamp(y, 0.0, g.height - 1.0);
  const int x0 = std::min(static_cast<int>(x), g.width - 2);
  const int y0 = std::min(static_cast<int>(y), g.height - 2);
  const double tx = x - x0, ty = y - y0;
  const double top = g.at(x0, y0) + tx * (g.at(x0 + 1, y0) - g.at(x0, y0));
  const double bottom = g.at(x0, y0 + 1) + tx * (g.at(x0 + 1, y0 + 1) - g.at(x0, y0 + 1));
  return top + ty * (bottom - top);
}

}  // namespace

Grid SampleGrid(const Grid& analysis, double aspect, const GeometryHypothesis& hypothesis,
                int grid_size, CellMask* valid) {
  Grid out(grid_size, grid_size);
  valid->assign(static_cast<size_t>(grid_size) * grid_size, 0);
  const double radians = hypothesis.rotate_degrees * std::numbers::pi / 180.0;
  const double c = std::cos(radians), s = std::sin(radians);
  const double inv_scale = 1.0 / hypothesis.crop_scale;
  const double quarter = 0.25 / grid_size;
  // Small tolerance: a quarter point exactly on the border is inside.
  const double lo = -1e-9, hi = 1.0 + 1e-9;
  for (int gy = 0; gy < grid_size; ++gy) {
    for (int gx = 0; gx < grid_size; ++gx) {
      double sum = 0;
      bool inside = true;
      for (int q = 0; q < 4 && inside; ++q) {
        double u = (gx + 0.5) / grid_size + ((q & 1) ? quarter : -quarter);
        const double v = (gy + 0.5) / grid_size + ((q & 2) ? quarter : -quarter);
        if (hypothesis.flip) u = 1.0 - u;
        // Centred coordinates in units of the received height.
        double dx = (u - 0.5) * inv_scale * aspect;
        double dy = (v - 0.5) * inv_scale;
        const double rx = c * dx - s * dy;
        const double ry = s * dx + c * dy;
        const double ru = 0.5 + rx / aspect, rv = 0.5 + ry;
        if (ru < lo || ru > hi || rv < lo || rv > hi) {
          inside = false;
          break;
        }
        sum += Bilinear(analysis, ru * analysis.width - 0.5, rv * analysis.height - 0.5);
      }
      if (!inside) continue;
      out.at(gx, gy) = sum / 4;
      (*valid)[static_cast<size_t>(gy) * grid_size + gx] = 1;
    }
  }
  return out;
}

}  // namespace hallmark::image
