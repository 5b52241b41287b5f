#include "watermark/image/canonical_grid/grid_filters.h"

#include <algorithm>
#include <cmath>

namespace hallmark::image {
namespace {

// Box sums of `values` (invalid cells as 0) and of the valid-cell count
// over the (2r+1)^2 window of every cell.
struct WindowSums {
  Grid sums;
  Grid counts;
};

// Sliding-window sums along rows, then along columns: O(cells) whatever
// the radius.
void BoxFilterRows(const std::vector<double>& in, int width, int height, int radius,
                   std::vector<double>* out) {
  out->assign(in.size(), 0.0);
  for (int y = 0; y < height; ++y) {
    const double* row = in.data() + static_cast<size_t>(y) * width;
    double* dst = out->data() + static_cast<size_t>(y) * width;
    double sum = 0;
    for (int x = 0; x < std::min(radius, width); ++x) sum += row[x];
    for (int x = 0; x < width; ++x) {
      if (x + radius < width) sum += row[x + radius];
      if (x - radius - 1 >= 0) sum -= row[x - radius - 1];
      dst[x] = sum;
    }
  }
}

void BoxFilterColumns(const std::vector<double>& in, int width, int height, int radius,
                      std::vector<double>* out) {
  out->assign(in.size(), 0.0);
  std::vector<double> sum(width, 0.0);
  for (int y = 0; y < std::min(radius, height); ++y) {
    for (int x = 0; x < width; ++x) sum[x] += in[static_cast<size_t>(y) * width + x];
  }
  for (int y = 0; y < height; ++y) {
    if (y + radius < height) {
      const double* add = in.data() + static_cast<size_t>(y + radius) * width;
      for (int x = 0; x < width; ++x) sum[x] += add[x];
    }
    if (y - radius - 1 >= 0) {
      const double* sub = in.data() + static_cast<size_t>(y - radius - 1) * width;
      for (int x = 0; x < width; ++x) sum[x] -= sub[x];
    }
    std::copy(sum.begin(), sum.end(), out->begin() + static_cast<ptrdiff_t>(y) * width);
  }
}

WindowSums BoxSums(const Grid& values, const CellMask& valid, int radius) {
  const int w = values.width, h = values.height;
  WindowSums out{Grid(w, h), Grid(w, h)};
  std::vector<double> scratch;
  if (valid.empty()) {
    BoxFilterRows(values.values, w, h, radius, &scratch);
    BoxFilterColumns(scratch, w, h, radius, &out.sums.values);
    std::vector<double> ones(values.values.size(), 1.0);
    BoxFilterRows(ones, w, h, radius, &scratch);
    BoxFilterColumns(scratch, w, h, radius, &out.counts.values);
    return out;
  }
  std::vector<double> masked(values.values.size()), present(values.values.size());
  for (size_t k = 0; k < masked.size(); ++k) {
    present[k] = valid[k] ? 1.0 : 0.0;
    masked[k] = valid[k] ? values.values[k] : 0.0;
  }
  BoxFilterRows(masked, w, h, radius, &scratch);
  BoxFilterColumns(scratch, w, h, radius, &out.sums.values);
  BoxFilterRows(present, w, h, radius, &scratch);
  BoxFilterColumns(scratch, w, h, radius, &out.counts.values);
  return out;
}

}  // namespace

Grid HighPass(const Grid& grid, const CellMask& valid) {
  const WindowSums window = BoxSums(grid, valid, 1);
  Grid out(grid.width, grid.height);
  for (size_t k = 0; k < grid.values.size(); ++k) {
    if (!valid.empty() && valid[k] == 0) continue;
    // Counts are small integers stored exactly; the neighbours exclude the
    // cell itself.
    const double neighbours = window.counts.values[k] - 1;
    const double v = grid.values[k];
    out.values[k] = neighbours > 0 ? v - (window.sums.values[k] - v) / neighbours : 0.0;
  }
  return out;
}

Grid LocalRms(const Grid& grid, const CellMask& valid, int radius) {
  Grid squares(grid.width, grid.height);
  for (size_t k = 0; k < grid.values.size(); ++k)
    squares.values[k] = grid.values[k] * grid.values[k];
  const WindowSums window = BoxSums(squares, valid, radius);
  Grid out(grid.width, grid.height);
  for (size_t k = 0; k < grid.values.size(); ++k) {
    const double n = window.counts.values[k];
    out.values[k] = n > 0 ? std::sqrt(std::max(0.0, window.sums.values[k] / n)) : 0.0;
  }
  return out;
}

Grid LocalVariance3x3(const Grid& grid) {
  Grid out(grid.width, grid.height);
  for (int y = 0; y < grid.height; ++y) {
    for (int x = 0; x < grid.width; ++x) {
      double sum = 0, sq = 0;
      int n = 0;
      for (int yy = std::max(0, y - 1); yy <= std::min(grid.height - 1, y + 1); ++yy) {
        for (int xx = std::max(0, x - 1); xx <= std::min(grid.width - 1, x + 1); ++xx) {
          const double v = grid.at(xx, yy);
          sum += v;
          sq += v * v;
          ++n;
        }
      }
      const double mean = sum / n;
      out.at(x, y) = std::max(0.0, sq / n - mean * mean);
    }
  }
  return out;
}

}  // namespace hallmark::image
