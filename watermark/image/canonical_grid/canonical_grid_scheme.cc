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
constexpr double kMinStrength = 1.0;
constexpr double kMaxStrength = 6.0;
// Cells within kSaturationRamp levels of black or white are faded, down to
// kMinFade: there half of the change (the half pushing outwards) is clipped
// away, but the other half still carries the chip; documents on white paper
// and line art have little else to carry the mark.
constexpr double kSaturationRamp = 12.0;
constexpr double kMinFade = 0.5;
// Floor of the local noise estimate in the detector's weights (luminance
// units): keeps flat cells, where a re-encode wipes the mark out, from
// dominating.
constexpr double kNoiseFloor = 1.0;
// Informed embedding (see Mark): bounds of the per-bit gain, how much more
// energy than the unit-gain residual it may spend on smooth images, and the
// number of passes (the second one uses the marked grid's noise level).
constexpr double kMinBitGain = 0.3;
constexpr double kMaxBitGain = 4.0;
constexpr double kInformedEnergyGrowth = 1.5;
constexpr int kInformedPasses = 2;
// The per-bit margin (in noise units of the detector's statistic) worth
// spending more than the gentle budget on.
constexpr double kTargetMargin = 4.0;
// Below this common margin the host wins on some bits: triage instead.
constexpr double kMinMargin = 0.5;
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

// The detector's per-cell divisor: the local RMS of the high-passed grid
// (5 x 5 window) with a floor, so each cell contributes in units of its
// local noise.
std::vector<double> NoiseDivisor(const Grid& high, const CellMask& valid) {
  const Grid noise = LocalRms(high, valid, 2);
  std::vector<double> out(kCells);
  for (int k = 0; k < kCells; ++k) {
    const double n = noise.values[k];
    out[k] = std::sqrt(n * n + kNoiseFloor * kNoiseFloor);
  }
  return out;
}

std::vector<double> Divide(const Grid& high, const std::vector<double>& divisor,
                           const CellMask& valid) {
  std::vector<double> out(kCells, 0.0);
  for (int k = 0; k < kCells; ++k) {
    if (!valid.empty() && valid[k] == 0) continue;
    out[k] = high.values[k] / divisor[k];
  }
  return out;
}

// The detector's view of a grid: the high-passed cells divided by their
// local noise level, 0 where invalid.
std::vector<double> NormalisedResponse(const Grid& grid, const CellMask& valid) {
  const Grid high = HighPass(grid, valid);
  return Divide(high, NoiseDivisor(high, valid), valid);
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

// The per-bit gains of the informed embedding, given each bit's host
// contribution h and unit-gain response m (both signed by the bit) and the
// energy of its cells: the largest common margin t = h + g m that fits the
// gentle budget, raised towards kTargetMargin within the cap budget; when
// not even kMinMargin fits (a host that opposes some bits more than the cap
// can overcome), an equal margin would make every bit wrong, so the cheapest
// bits are secured at kMinMargin and the rest left to the code.
std::vector<double> ChooseBitGains(const std::vector<double>& h, const std::vector<double>& m,
                                   const std::vector<double>& bit_energy, double gentle_energy,
                                   double cap_energy) {
  const int coded_bits = static_cast<int>(h.size());
  std::vector<double> gain(coded_bits, kMinBitGain);
  auto gains_for = [&](double t, std::vector<double>* out) {
    double energy = 0;
    for (int i = 0; i < coded_bits; ++i) {
      const double g = std::clamp((t - h[i]) / m[i], kMinBitGain, kMaxBitGain);
      if (out != nullptr) (*out)[i] = g;
      energy += g * g * bit_energy[i];
    }
    return energy;
  };
  // The largest common margin within a budget, by bisection (the energy
  // grows with t); it may be negative.
  auto margin_within = [&](double budget) {
    double lo = -kMaxBitGain * 64, hi = 1;
    while (gains_for(hi, nullptr) < budget && hi < 1e6) hi *= 2;
    for (int step = 0; step < 50; ++step) {
      const double mid = 0.5 * (lo + hi);
      (gains_for(mid, nullptr) <= budget ? lo : hi) = mid;
    }
    return lo;
  };
  double margin = margin_within(gentle_energy);
  if (margin < kTargetMargin) margin = std::min(kTargetMargin, margin_within(cap_energy));
  if (margin >= kMinMargin) {
    gains_for(margin, &gain);
    return gain;
  }
  std::vector<int> order(coded_bits);
  std::vector<double> need(coded_bits), cost(coded_bits);
  double spent = 0;
  for (int i = 0; i < coded_bits; ++i) {
    order[i] = i;
    need[i] = std::clamp((kMinMargin - h[i]) / m[i], kMinBitGain, kMaxBitGain);
    const bool reachable = h[i] + need[i] * m[i] >= kMinMargin - 1e-9;
    cost[i] = reachable ? (need[i] * need[i] - kMinBitGain * kMinBitGain) * bit_energy[i]
                        : std::numeric_limits<double>::infinity();
    spent += kMinBitGain * kMinBitGain * bit_energy[i];
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) { return cost[a] < cost[b]; });
  for (int i : order) {
    if (!std::isfinite(cost[i]) || spent + cost[i] > cap_energy) break;
    gain[i] = need[i];
    spent += cost[i];
  }
  return gain;
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
    const double fade = std::clamp(headroom / kSaturationRamp, kMinFade, 1.0);
    strength[k] = std::clamp(kTextureGain * texture, kMinStrength, kMaxStrength) * fade;
  }

  const PayloadBits sealed = watermark::SealPayload(payload, key, PayloadDomain::kImage);
  const std::vector<uint8_t> coded = watermark::ConvolutionalEncode(PayloadToBitVector(sealed));
  const int coded_bits = static_cast<int>(coded.size());
  const KeyedLayout layout = DeriveKeyedLayout(key, kCells, coded_bits);

  // Informed embedding. The detector's statistic for coded bit i is, to a
  // very good approximation, linear in that bit's gain g_i:
  //   b_i z_i = h_i + g_i m_i,
  // where b_i is the bit's sign, h_i what the unmarked host already
  // contributes and m_i the response to a unit-gain residual, both computed
  // here exactly as the detector will (through the upsample / re-average
  // round trip, the high-pass and the noise normalisation of the *marked*
  // grid). The gains are then chosen to give every bit the same margin t,
  // as large as the distortion budget allows: the weakest bit decides
  // whether the payload survives an edit, so no energy is spent on bits
  // the host already carries.
  const int width = image->width(), height = image->height();
  const double energy_factor = BilinearEnergyFactor(width, height, kGrid, kGrid);
  const AxisRoundTrip round_trip_x = ComputeAxisRoundTrip(width, kGrid);
  const AxisRoundTrip round_trip_y = ComputeAxisRoundTrip(height, kGrid);
  std::vector<double> sign(coded_bits), bit_energy(coded_bits, 0.0);
  for (int i = 0; i < coded_bits; ++i) sign[i] = coded[i] ? -1.0 : 1.0;
  Grid unit(kGrid, kGrid);
  double unit_energy = 0;
  for (int k = 0; k < kCells; ++k) {
    const int bit = layout.bit_of_cell[k];
    unit.values[k] = sign[bit] * layout.chip[k] * strength[k];
    bit_energy[bit] += strength[k] * strength[k];
    unit_energy += strength[k] * strength[k];
  }
  // The budget: the PSNR floor; and smooth images (whose strengths stay
  // small to keep flat areas clean) spend at most kInformedEnergyGrowth
  // times the energy of the unit-gain residual, unless that leaves the bits
  // a margin under kTargetMargin: then up to the floor, until they have it.
  const double max_mse = 255.0 * 255.0 / std::pow(10.0, options_.min_psnr_db / 10.0);
  const double cap_energy = max_mse * kCells / energy_factor;
  const double gentle_energy = std::min(cap_energy, kInformedEnergyGrowth * unit_energy);
  const CellMask all_valid;
  const Grid host_high = HighPass(means, all_valid);
  const Grid unit_high = HighPass(ApplyRoundTrip(unit, round_trip_x, round_trip_y), all_valid);
  std::vector<double> divisor = NoiseDivisor(host_high, all_valid);
  Grid residual(kGrid, kGrid);
  for (int pass = 0; pass < kInformedPasses; ++pass) {
    const BitStatistics host =
        Despread(Divide(host_high, divisor, all_valid), all_valid, layout, coded_bits);
    const BitStatistics response =
        Despread(Divide(unit_high, divisor, all_valid), all_valid, layout, coded_bits);
    std::vector<double> h(coded_bits), m(coded_bits);
    for (int i = 0; i < coded_bits; ++i) {
      h[i] = sign[i] * host.z[i];
      m[i] = std::max(1e-6, sign[i] * response.z[i]);
    }
    const std::vector<double> gain = ChooseBitGains(h, m, bit_energy, gentle_energy, cap_energy);
    for (int k = 0; k < kCells; ++k) {
      residual.values[k] = gain[layout.bit_of_cell[k]] * unit.values[k];
    }
    // The marked grid's own noise level is what the detector divides by.
    if (pass + 1 < kInformedPasses) {
      Grid marked = ApplyRoundTrip(residual, round_trip_x, round_trip_y);
      for (int k = 0; k < kCells; ++k) marked.values[k] += means.values[k];
      divisor = NoiseDivisor(HighPass(marked, all_valid), all_valid);
    }
  }
  // Never above the distortion cap, whatever the clamps did.
  double residual_energy = 0;
  for (double r : residual.values) residual_energy += r * r;
  if (residual_energy > cap_energy) {
    const double scale = std::sqrt(cap_energy / residual_energy);
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
