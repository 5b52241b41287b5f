#include "watermark/image/canonical_grid/canonical_grid_scheme.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "watermark/ecc/convolutional_code.h"
#include "watermark/image/canonical_grid/geometry_hypothesis.h"
#include "watermark/image/canonical_grid/grid_filters.h"
#include "watermark/image/canonical_grid/keyed_layout.h"
#include "watermark/image/canonical_grid/plane_resampler.h"

namespace hallmark::image {
namespace {

using watermark::PayloadBits;
using watermark::PayloadDomain;
using watermark::PayloadFields;
using watermark::WatermarkKey;

constexpr int kGrid = CanonicalGridScheme::kGridSize;
constexpr int kCells = kGrid * kGrid;
// The received image is first reduced to this many samples per side; grid
// cells are then sampled from it under each geometry hypothesis.
constexpr int kAnalysisSize = 2 * kGrid;
// Detection still runs on images down to this size (a marked 64-pixel image
// resized by half).
constexpr int kMinDetectDimension = 24;

// Embedding strength per cell, in luminance units (0..255 scale): texture
// (in-cell and cell-to-cell standard deviation) times kTextureGain, clamped.
// Flat cells get kMinStrength so that they still carry a little.
constexpr double kTextureGain = 0.35;
constexpr double kMinStrength = 0.7;
constexpr double kMaxStrength = 6.0;
// Cells within this distance of black or white are faded out: the change
// would be clipped there.
constexpr double kSaturationRamp = 12.0;
// Floor of the local noise estimate in the detector's weights (luminance
// units): keeps flat cells, where a re-encode wipes the mark out, from
// dominating.
constexpr double kNoiseFloor = 1.0;
// Improved spread spectrum: how much of the host's own projection on a bit's
// chips is cancelled, and the bounds of the per-bit amplitude factor.
constexpr double kHostCancel = 1.0;
constexpr double kMinBitGain = 0.5;
constexpr double kMaxBitGain = 3.0;
// Gain of a cell's residual through upsampling, re-averaging and the
// high-pass filter (measured for the identity geometry).
constexpr double kResidualResponse = 0.55;
// A decoded codeword whose mean agreement with the soft bits reaches this
// (in noise units) is reported as detected even without a matching MAC;
// unmarked images stay near 0.8.
constexpr double kDetectScore = 2.5;

std::vector<uint8_t> PayloadToBitVector(const PayloadBits& bits) {
  std::vector<uint8_t> out(watermark::kPayloadBits);
  for (int j = 0; j < watermark::kPayloadBits; ++j) out[j] = (bits[j / 8] >> (7 - j % 8)) & 1;
  return out;
}

PayloadBits BitVectorToPayload(const std::vector<uint8_t>& bits) {
  PayloadBits out{};
  for (int j = 0; j < watermark::kPayloadBits; ++j) {
    if (bits[j]) out[j / 8] |= static_cast<uint8_t>(1u << (7 - j % 8));
  }
  return out;
}

bool IsLumaModel(ColorModel model) {
  return model == ColorModel::kGray || model == ColorModel::kGrayAlpha ||
         model == ColorModel::kYCbCr || model == ColorModel::kYCbCrA;
}

PlaneView LumaView(const Image& image) {
  return {image.Plane(0), image.width(), image.height(), image.row_stride()};
}

// The detector's view of a grid: the high-passed cells divided by their
// local noise level, 0 where invalid.
std::vector<double> NormalisedResponse(const Grid& grid, const CellMask& valid) {
  const Grid high = HighPass(grid, valid);
  const Grid noise = LocalRms(high, valid, 2);
  std::vector<double> out(kCells, 0.0);
  for (int k = 0; k < kCells; ++k) {
    if (!valid.empty() && valid[k] == 0) continue;
    const double n = noise.values[k];
    out[k] = high.values[k] / std::sqrt(n * n + kNoiseFloor * kNoiseFloor);
  }
  return out;
}

struct BitStatistics {
  std::vector<double> z;  // per coded bit, ~N(0,1) on unmarked content
};

// Per coded bit: the chip-weighted sum of `response` over its cells,
// normalised by the square root of the number of valid cells.
BitStatistics Despread(const std::vector<double>& response, const CellMask& valid,
                       const KeyedLayout& layout, int coded_bits) {
  std::vector<double> sum(coded_bits, 0.0);
  std::vector<int> count(coded_bits, 0);
  for (int k = 0; k < kCells; ++k) {
    if (!valid.empty() && valid[k] == 0) continue;
    const int bit = layout.bit_of_cell[k];
    sum[bit] += layout.chip[k] * response[k];
    ++count[bit];
  }
  BitStatistics stats;
  stats.z.resize(coded_bits);
  for (int i = 0; i < coded_bits; ++i) {
    stats.z[i] = count[i] > 0 ? sum[i] / std::sqrt(static_cast<double>(count[i])) : 0.0;
  }
  return stats;
}

struct DecodeAttempt {
  PayloadBits bits{};
  double codeword_score = 0;
};

DecodeAttempt DecodeBits(const BitStatistics& stats) {
  const int coded_bits = static_cast<int>(stats.z.size());
  std::vector<int32_t> soft(coded_bits);
  for (int i = 0; i < coded_bits; ++i) {
    soft[i] = static_cast<int32_t>(std::lround(std::clamp(stats.z[i], -1e4, 1e4) * 256.0));
  }
  const std::vector<uint8_t> info = watermark::ConvolutionalDecode(soft, watermark::kPayloadBits);
  const std::vector<uint8_t> recoded = watermark::ConvolutionalEncode(info);
  double agreement = 0;
  for (int i = 0; i < coded_bits; ++i) agreement += (recoded[i] ? -1.0 : 1.0) * stats.z[i];
  DecodeAttempt attempt;
  attempt.bits = BitVectorToPayload(info);
  attempt.codeword_score = agreement / coded_bits;
  return attempt;
}

}  // namespace

CanonicalGridScheme::CanonicalGridScheme(CanonicalGridOptions options) : options_(options) {}

absl::StatusOr<ImageMarkResult> CanonicalGridScheme::Mark(Image* image,
                                                          const PayloadFields& payload,
                                                          const WatermarkKey& key) const {
  if (!IsLumaModel(image->color_model())) {
    return absl::InvalidArgumentError(
        "canonical-grid marks luminance: convert RGB images to YCbCr first");
  }
  ImageMarkResult result;
  if (image->width() < kMinDimension || image->height() < kMinDimension) {
    result.psnr_db = std::numeric_limits<double>::infinity();
    return result;
  }
  const PlaneView luma = LumaView(*image);
  Grid in_cell_variance;
  const Grid means = AreaDownscale(luma, kGrid, kGrid, &in_cell_variance);
  const Grid neighbourhood_variance = LocalVariance3x3(means);

  // Strength per cell from texture, faded near black and white.
  std::vector<double> strength(kCells);
  for (int k = 0; k < kCells; ++k) {
    const double texture = std::sqrt(in_cell_variance.values[k] + neighbourhood_variance.values[k]);
    const double headroom = std::min(means.values[k], 255.0 - means.values[k]);
    const double fade = std::clamp(headroom / kSaturationRamp, 0.1, 1.0);
    strength[k] = std::clamp(kTextureGain * texture, kMinStrength, kMaxStrength) * fade;
  }

  const PayloadBits sealed = watermark::SealPayload(payload, key, PayloadDomain::kImage);
  const std::vector<uint8_t> coded = watermark::ConvolutionalEncode(PayloadToBitVector(sealed));
  const int coded_bits = static_cast<int>(coded.size());
  const KeyedLayout layout = DeriveKeyedLayout(key, kCells, coded_bits);

  // Cap the expected full-size distortion at the configured PSNR: scale the
  // strengths first, so that the host cancellation below knows the
  // amplitude the detector will actually see.
  const int width = image->width(), height = image->height();
  const double max_mse = 255.0 * 255.0 / std::pow(10.0, options_.min_psnr_db / 10.0);
  const double energy_factor = BilinearEnergyFactor(width, height, kGrid, kGrid);
  auto expected_mse = [&](const std::vector<double>& cells) {
    double sum = 0;
    for (double v : cells) sum += v * v;
    return energy_factor * sum / kCells;
  };
  if (const double mse = expected_mse(strength); mse > max_mse) {
    const double scale = std::sqrt(max_mse / mse);
    for (double& m : strength) m *= scale;
  }

  // Improved spread spectrum: measure how the host already projects on each
  // bit's chips (as the detector will see it) and spend more amplitude on
  // the bits it opposes, less on those it already favours.
  const CellMask all_valid;
  const std::vector<double> host = NormalisedResponse(means, all_valid);
  const Grid host_noise = LocalRms(HighPass(means, all_valid), all_valid, 2);
  std::vector<double> projection(coded_bits, 0.0), response(coded_bits, 0.0);
  for (int k = 0; k < kCells; ++k) {
    const int bit = layout.bit_of_cell[k];
    projection[bit] += layout.chip[k] * host[k];
    const double n = host_noise.values[k];
    response[bit] += kResidualResponse * strength[k] / std::sqrt(n * n + kNoiseFloor * kNoiseFloor);
  }
  std::vector<double> bit_gain(coded_bits);
  for (int i = 0; i < coded_bits; ++i) {
    const double sign = coded[i] ? -1.0 : 1.0;
    const double host_share = response[i] > 0 ? sign * projection[i] / response[i] : 0.0;
    bit_gain[i] = sign * std::clamp(1.0 - kHostCancel * host_share, kMinBitGain, kMaxBitGain);
  }

  Grid residual(kGrid, kGrid);
  for (int k = 0; k < kCells; ++k) {
    residual.values[k] = bit_gain[layout.bit_of_cell[k]] * layout.chip[k] * strength[k];
  }
  // The per-bit gains move the energy a little; bring it back under the cap.
  if (const double mse = expected_mse(residual.values); mse > max_mse) {
    const double scale = std::sqrt(max_mse / mse);
    for (double& r : residual.values) r *= scale;
  }

  const double energy =
      AddBilinearUpsample(residual, image->Plane(0), width, height, image->row_stride());
  const double mse = energy / (static_cast<double>(width) * height);
  result.marked = true;
  result.psnr_db =
      mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : std::numeric_limits<double>::infinity();
  return result;
}

ImageDetection CanonicalGridScheme::Detect(const Image& image,
                                           const watermark::KeySet& keys) const {
  ImageDetection detection;
  if (!IsLumaModel(image.color_model()) || keys.size() == 0 ||
      image.width() < kMinDetectDimension || image.height() < kMinDetectDimension) {
    return detection;
  }
  const Grid analysis = AreaDownscale(LumaView(image), kAnalysisSize, kAnalysisSize);
  const double aspect = static_cast<double>(image.width()) / image.height();
  const int coded_bits =
      static_cast<int>(watermark::ConvolutionalEncodedLength(watermark::kPayloadBits));

  std::vector<KeyedLayout> layouts;
  layouts.reserve(keys.size());
  for (const auto& key : keys.keys()) {
    layouts.push_back(DeriveKeyedLayout(*key, kCells, coded_bits));
  }

  const std::vector<GeometryHypothesis> geometries =
      options_.geometry_search ? SearchGeometries() : std::vector<GeometryHypothesis>{{}};
  double best_score = -std::numeric_limits<double>::infinity();
  for (const GeometryHypothesis& geometry : geometries) {
    ++detection.geometries_tried;
    CellMask valid;
    const Grid grid = SampleGrid(analysis, aspect, geometry, kGrid, &valid);
    const std::vector<double> response = NormalisedResponse(grid, valid);
    for (size_t key_index = 0; key_index < layouts.size(); ++key_index) {
      const DecodeAttempt attempt =
          DecodeBits(Despread(response, valid, layouts[key_index], coded_bits));
      const std::shared_ptr<const WatermarkKey>& key = keys.keys()[key_index];
      const watermark::OpenedPayload opened =
          watermark::OpenPayload(attempt.bits, watermark::KeySet({key}), PayloadDomain::kImage);
      detection.mac_checks += opened.mac_checks;
      if (attempt.codeword_score > best_score || opened.verified()) {
        best_score = attempt.codeword_score;
        detection.decoded_bits = attempt.bits;
        detection.geometry = geometry.Name();
        detection.codeword_score = attempt.codeword_score;
      }
      if (opened.verified()) {
        detection.detected = true;
        detection.verified = true;
        detection.payload = opened.fields;
        detection.key = key.get();
        detection.false_positive_probability = detection.mac_checks * std::ldexp(1.0, -32);
        return detection;
      }
    }
  }
  detection.detected = best_score >= kDetectScore;
  return detection;
}

}  // namespace hallmark::image
