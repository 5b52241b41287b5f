#include "watermark/image/canonical_grid/plane_resampler.h"

#include <algorithm>
#include <cmath>

namespace hallmark::image {
namespace {

// One output cell's span over the input samples of one axis: samples
// first..first+weights.size()-1 with their overlap lengths (in samples).
struct CellSpan {
  int first = 0;
  std::vector<double> weights;
};

std::vector<CellSpan> AreaSpans(int input, int cells) {
  std::vector<CellSpan> spans(cells);
  const double scale = static_cast<double>(input) / cells;
  for (int c = 0; c < cells; ++c) {
    const double lo = c * scale;
    const double hi = std::min<double>(input, (c + 1) * scale);
    const int first = std::min(input - 1, static_cast<int>(std::floor(lo)));
    const int last = std::max(first, std::min(input - 1, static_cast<int>(std::ceil(hi)) - 1));
    spans[c].first = first;
    for (int i = first; i <= last; ++i) {
      const double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
      spans[c].weights.push_back(std::max(0.0, overlap));
    }
  }
  return spans;
}

// Bilinear taps along one axis: output sample i reads grid[index] and
// grid[index + 1] with weight (1 - t) and t.
struct Tap {
  int index = 0;
  float t = 0;
};

std::vector<Tap> BilinearTaps(int output, int cells) {
  std::vector<Tap> taps(output);
  const double scale = static_cast<double>(cells) / output;
  for (int i = 0; i < output; ++i) {
    double g = (i + 0.5) * scale - 0.5;
    g = std::clamp(g, 0.0, static_cast<double>(cells - 1));
    int index = std::min(static_cast<int>(g), std::max(0, cells - 2));
    taps[i].index = index;
    taps[i].t = cells > 1 ? static_cast<float>(g - index) : 0.0f;
  }
  return taps;
}

}  // namespace

Grid AreaDownscale(const PlaneView& plane, int grid_width, int grid_height, Grid* variance) {
  const std::vector<CellSpan> xs = AreaSpans(plane.width, grid_width);
  const std::vector<CellSpan> ys = AreaSpans(plane.height, grid_height);
  const bool want_variance = variance != nullptr;

  // Horizontal pass: per input row, the weighted sums over each cell's
  // columns (and of the squares).
  std::vector<double> row_sum(static_cast<size_t>(plane.height) * grid_width);
  std::vector<double> row_sq(want_variance ? row_sum.size() : 0);
  for (int y = 0; y < plane.height; ++y) {
    const float* row = plane.Row(y);
    double* sum_out = row_sum.data() + static_cast<size_t>(y) * grid_width;
    double* sq_out = want_variance ? row_sq.data() + static_cast<size_t>(y) * grid_width : nullptr;
    for (int gx = 0; gx < grid_width; ++gx) {
      const CellSpan& span = xs[gx];
      const float* in = row + span.first;
      double sum = 0, sq = 0;
      const size_t n = span.weights.size();
      for (size_t i = 0; i < n; ++i) {
        const double v = in[i];
        sum += span.weights[i] * v;
        sq += span.weights[i] * v * v;
      }
      sum_out[gx] = sum;
      if (want_variance) sq_out[gx] = sq;
    }
  }

  // Vertical pass.
  Grid means(grid_width, grid_height);
  if (want_variance) *variance = Grid(grid_width, grid_height);
  const double cell_area = (static_cast<double>(plane.width) / grid_width) *
                           (static_cast<double>(plane.height) / grid_height);
  std::vector<double> sum(grid_width), sq(grid_width);
  for (int gy = 0; gy < grid_height; ++gy) {
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(sq.begin(), sq.end(), 0.0);
    const CellSpan& span = ys[gy];
    double weight_total = 0;
    for (size_t i = 0; i < span.weights.size(); ++i) {
      const double w = span.weights[i];
      weight_total += w;
      const size_t base = static_cast<size_t>(span.first + static_cast<int>(i)) * grid_width;
      for (int gx = 0; gx < grid_width; ++gx) sum[gx] += w * row_sum[base + gx];
      if (want_variance) {
        for (int gx = 0; gx < grid_width; ++gx) sq[gx] += w * row_sq[base + gx];
      }
    }
    for (int gx = 0; gx < grid_width; ++gx) {
      double x_weight = 0;
      for (double w : xs[gx].weights) x_weight += w;
      // Exact cell area, except at a clamped last cell when the input does
      // not divide evenly (rounding): use the weights actually summed.
      const double area = weight_total * x_weight > 0 ? weight_total * x_weight : cell_area;
      const double mean = sum[gx] / area;
      means.at(gx, gy) = mean;
      if (want_variance) variance->at(gx, gy) = std::max(0.0, sq[gx] / area - mean * mean);
    }
  }
  return means;
}

double AddBilinearUpsample(const Grid& grid, float* plane, int width, int height, size_t stride) {
  const std::vector<Tap> xs = BilinearTaps(width, grid.width);
  const std::vector<Tap> ys = BilinearTaps(height, grid.height);

  // Horizontal pass: every grid row interpolated to full width.
  std::vector<float> wide(static_cast<size_t>(grid.height) * width);
  for (int gy = 0; gy < grid.height; ++gy) {
    const double* g = grid.values.data() + static_cast<size_t>(gy) * grid.width;
    float* out = wide.data() + static_cast<size_t>(gy) * width;
    const bool single = grid.width == 1;
    for (int x = 0; x < width; ++x) {
      const Tap& tap = xs[x];
      const float a = static_cast<float>(g[tap.index]);
      const float b = single ? a : static_cast<float>(g[tap.index + 1]);
      out[x] = a + tap.t * (b - a);
    }
  }

  // Vertical pass, added to the plane.
  double energy = 0;
  for (int y = 0; y < height; ++y) {
    const Tap& tap = ys[y];
    const float* a = wide.data() + static_cast<size_t>(tap.index) * width;
    const float* b = grid.height == 1 ? a : a + width;
    const float t = tap.t;
    float* row = plane + static_cast<size_t>(y) * stride;
    float row_energy = 0;
    for (int x = 0; x < width; ++x) {
      const float d = a[x] + t * (b[x] - a[x]);
      row[x] += d;
      row_energy += d * d;
    }
    energy += row_energy;
  }
  return energy;
}

AxisRoundTrip ComputeAxisRoundTrip(int size, int cells) {
  const std::vector<CellSpan> spans = AreaSpans(size, cells);
  const std::vector<Tap> taps = BilinearTaps(size, cells);
  AxisRoundTrip out;
  out.rows.resize(cells);
  std::vector<double> dense(cells);
  for (int c = 0; c < cells; ++c) {
    std::fill(dense.begin(), dense.end(), 0.0);
    const CellSpan& span = spans[c];
    double total = 0;
    for (size_t i = 0; i < span.weights.size(); ++i) {
      const double w = span.weights[i];
      const Tap& tap = taps[span.first + static_cast<int>(i)];
      total += w;
      dense[tap.index] += w * (1 - tap.t);
      if (cells > 1) dense[tap.index + 1] += w * tap.t;
    }
    for (int j = 0; j < cells; ++j) {
      if (dense[j] != 0 && total > 0) out.rows[c].emplace_back(j, dense[j] / total);
    }
  }
  return out;
}

Grid ApplyRoundTrip(const Grid& grid, const AxisRoundTrip& x, const AxisRoundTrip& y) {
  Grid rows(grid.width, grid.height);
  for (int gy = 0; gy < grid.height; ++gy) {
    for (int gx = 0; gx < grid.width; ++gx) {
      double sum = 0;
      for (const auto& [j, w] : x.rows[gx]) sum += w * grid.at(j, gy);
      rows.at(gx, gy) = sum;
    }
  }
  Grid out(grid.width, grid.height);
  for (int gy = 0; gy < grid.height; ++gy) {
    for (int gx = 0; gx < grid.width; ++gx) {
      double sum = 0;
      for (const auto& [j, w] : y.rows[gy]) sum += w * rows.at(gx, j);
      out.at(gx, gy) = sum;
    }
  }
  return out;
}

double BilinearEnergyFactor(int width, int height, int grid_width, int grid_height) {
  auto axis = [](int output, int cells) {
    if (cells == 1) return 1.0;
    double sum = 0;
    for (const Tap& tap : BilinearTaps(output, cells)) {
      sum += (1 - tap.t) * (1 - tap.t) + tap.t * tap.t;
    }
    return sum / output;
  };
  return axis(width, grid_width) * axis(height, grid_height);
}

}  // namespace hallmark::image
