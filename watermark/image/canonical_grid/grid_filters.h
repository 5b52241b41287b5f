// Small filters on the watermark grid, shared by embedding and detection so
// both sides see the host the same way. Cells may be marked invalid (outside
// the image under a crop or rotation hypothesis); invalid cells are skipped
// in every neighbourhood and produce 0.
#ifndef HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GRID_FILTERS_H_
#define HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GRID_FILTERS_H_

#include <cstdint>
#include <vector>

#include "watermark/image/canonical_grid/plane_resampler.h"

namespace hallmark::image {

// One byte per cell, row-major: 1 valid, 0 not. Empty means all valid.
using CellMask = std::vector<uint8_t>;

// Each cell minus the mean of its valid 8-neighbours: removes the smooth
// host (which dominates natural images) and keeps the cell-to-cell pattern
// the mark lives in. A cell with no valid neighbour gets 0.
Grid HighPass(const Grid& grid, const CellMask& valid);

// Root mean square of `grid` over the valid cells of the (2r+1)^2 window
// around each cell (box sums through a summed-area table: O(cells)).
Grid LocalRms(const Grid& grid, const CellMask& valid, int radius);

// Variance of `grid` over the valid cells of each 3x3 window.
Grid LocalVariance3x3(const Grid& grid);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GRID_FILTERS_H_
