// The key-dependent spreading of the canonical-grid scheme: which coded bit
// each grid cell carries and the ±1 chip it is multiplied by. Without the
// key, the cells of one bit and their signs look random, so the mark can be
// neither read nor forged, and marks under different keys do not interfere.
#ifndef HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_KEYED_LAYOUT_H_
#define HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_KEYED_LAYOUT_H_

#include <cstdint>
#include <vector>

#include "watermark/key/watermark_key.h"

namespace hallmark::image {

struct KeyedLayout {
  // Per cell (row-major over the grid): the coded bit it carries and its chip.
  std::vector<uint16_t> bit_of_cell;
  std::vector<int8_t> chip;
};

// Derives the layout for `cells` cells and `coded_bits` coded bits from
// HMAC-SHA256(key, "hallmark/image/canonical-grid/v1/layout"): the seed of a
// SplitMix64 stream driving a Fisher-Yates shuffle of the cells (bit of
// shuffled cell j = j mod coded_bits, so every bit gets the same number of
// cells, +-1) and one chip bit per cell. Deterministic across platforms.
KeyedLayout DeriveKeyedLayout(const watermark::WatermarkKey& key, int cells, int coded_bits);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CANONICAL_GRID_KEYED_LAYOUT_H_
