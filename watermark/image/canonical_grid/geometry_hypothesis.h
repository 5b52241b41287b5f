// Where the watermark grid lies in a received image that may have been
// flipped, centre-cropped or slightly rotated since it was marked. Each
// hypothesis maps the marked image's normalised coordinates to the received
// image's; the detector samples the grid through it and lets the MAC decide.
#ifndef HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GEOMETRY_HYPOTHESIS_H_
#define HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GEOMETRY_HYPOTHESIS_H_

#include <string>
#include <vector>

#include "watermark/image/canonical_grid/grid_filters.h"
#include "watermark/image/canonical_grid/plane_resampler.h"

namespace hallmark::image {

struct GeometryHypothesis {
  bool flip = false;          // mirrored left-right
  double crop_scale = 1.0;    // received = centre crop of this linear fraction
  double rotate_degrees = 0;  // received = rotated by this angle about its centre
  std::string Name() const;
};

// Identity first, then the flips, crops and rotations in the order the
// detector tries them (most common edits first).
std::vector<GeometryHypothesis> SearchGeometries();

// Samples a grid_size x grid_size grid from `analysis` (the received image
// area-downscaled to a fixed size; `aspect` = received width / height) under
// `hypothesis`: each cell is one bilinear sample at its centre, which for
// the identity on an analysis image twice the grid's side is the exact mean
// of the 2 x 2 samples the cell covers. Cells whose centre falls outside the
// received image are marked invalid in `valid`.
Grid SampleGrid(const Grid& analysis, double aspect, const GeometryHypothesis& hypothesis,
                int grid_size, CellMask* valid);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_GEOMETRY_HYPOTHESIS_H_
