#include "watermark/image/canonical_grid/keyed_layout.h"

#include <numeric>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "watermark/base/split_mix64.h"

namespace hallmark::image {
namespace {}  // namespace

KeyedLayout DeriveKeyedLayout(const watermark::WatermarkKey& key, int cells, int coded_bits) {
  static constexpr absl::string_view kLabel = "hallmark/image/canonical-grid/v1/layout";
  const watermark::Sha256Digest seed_bytes = key.mac().Compute(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size()));
  uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | seed_bytes[i];
  uint64_t chip_seed = 0;
  for (int i = 8; i < 16; ++i) chip_seed = (chip_seed << 8) | seed_bytes[i];

  std::vector<uint32_t> order(cells);
  std::iota(order.begin(), order.end(), 0u);
  SplitMix64 shuffle(seed);
  for (int i = cells - 1; i > 0; --i) {
    std::swap(order[i], order[shuffle.Below(static_cast<uint32_t>(i) + 1)]);
  }

  KeyedLayout layout;
  layout.bit_of_cell.resize(cells);
  layout.chip.resize(cells);
  for (int j = 0; j < cells; ++j)
    layout.bit_of_cell[order[j]] = static_cast<uint16_t>(j % coded_bits);
  SplitMix64 chips(chip_seed);
  uint64_t word = 0;
  for (int k = 0; k < cells; ++k) {
    if (k % 64 == 0) word = chips.Next();
    layout.chip[k] = (word >> (k % 64)) & 1 ? 1 : -1;
  }
  return layout;
}

}  // namespace hallmark::image
