#include "watermark/image/canonical_grid/grid_filters.h"

#include <algorithm>
#include <cmath>

namespace hallmark::image {
namespace {

bool IsValid(const CellMask& valid, int width, int x, int y) {
  return valid.empty() || valid[static_cast<size_t>(y) * width + x] != 0;
}

// Summed-area table with one row and column of zero padding.
class SummedArea {
 public:
  SummedArea(int width, int height) : width_(width), sums_((width + 1) * (height + 1), 0.0) {}
  double& at(int x, int y) { return sums_[static_cast<size_t>(y) * (width_ + 1) + x]; }
  double at(int x, int y) const { return sums_[static_cast<size_t>(y) * (width_ + 1) + x]; }
  void Integrate(int height) {
    for (int y = 1; y <= height; ++y) {
      for (int x = 1; x <= width_; ++x) at(x, y) += at(x - 1, y) + at(x, y - 1) - at(x - 1, y - 1);
    }
  }
  // Sum over cells [x0, x1] x [y0, y1] (inclusive, already clamped).
  double Sum(int x0, int y0, int x1, int y1) const {
    return at(x1 + 1, y1 + 1) - at(x0, y1 + 1) - at(x1 + 1, y0) + at(x0, y0);
  }

 private:
  int width_;
  std::vector<double> sums_;
};

}  // namespace

Grid HighPass(const Grid& grid, const CellMask& valid) {
  Grid out(grid.width, grid.height);
  for (int y = 0; y < grid.height; ++y) {
    for (int x = 0; x < grid.width; ++x) {
      if (!IsValid(valid, grid.width, x, y)) continue;
      double sum = 0;
      int n = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        const int yy = y + dy;
        if (yy < 0 || yy >= grid.height) continue;
        for (int dx = -1; dx <= 1; ++dx) {
          const int xx = x + dx;
          if ((dx == 0 && dy == 0) || xx < 0 || xx >= grid.width) continue;
          if (!IsValid(valid, grid.width, xx, yy)) continue;
          sum += grid.at(xx, yy);
          ++n;
        }
      }
      out.at(x, y) = n > 0 ? grid.at(x, y) - sum / n : 0.0;
    }
  }
  return out;
}

Grid LocalRms(const Grid& grid, const CellMask& valid, int radius) {
  SummedArea energy(grid.width, grid.height);
  SummedArea count(grid.width, grid.height);
  for (int y = 0; y < grid.height; ++y) {
    for (int x = 0; x < grid.width; ++x) {
      if (!IsValid(valid, grid.width, x, y)) continue;
      energy.at(x + 1, y + 1) = grid.at(x, y) * grid.at(x, y);
      count.at(x + 1, y + 1) = 1;
    }
  }
  energy.Integrate(grid.height);
  count.Integrate(grid.height);
  Grid out(grid.width, grid.height);
  for (int y = 0; y < grid.height; ++y) {
    const int y0 = std::max(0, y - radius), y1 = std::min(grid.height - 1, y + radius);
    for (int x = 0; x < grid.width; ++x) {
      const int x0 = std::max(0, x - radius), x1 = std::min(grid.width - 1, x + radius);
      const double n = count.Sum(x0, y0, x1, y1);
      out.at(x, y) = n > 0 ? std::sqrt(std::max(0.0, energy.Sum(x0, y0, x1, y1) / n)) : 0.0;
    }
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
