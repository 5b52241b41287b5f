#include "watermark/text/unicode/frame_detector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "watermark/payload/payload.h"
#include "watermark/text/unicode/frame_layout.h"

namespace hallmark::watermark::unicode_text {
namespace {

// Phases decoded over the whole text, strongest first.
constexpr size_t kMaxWholeTextPhases = 8;

// Chance that 16 random bits are within one bit of the sync pattern.
constexpr double kSyncChance = 17.0 / 65536.0;

// A range of carriers [begin, end) read as frames whose syncs start at
// carriers congruent to `phase` (< kFrameSymbols).
struct Window {
  size_t phase = 0;
  size_t begin = 0;
  size_t end = 0;
  friend bool operator==(const Window&, const Window&) = default;
};

class Decoder {
 public:
  Decoder(absl::Span<const uint8_t> symbols, const KeySet& keys, TextDetection* result)
      : symbols_(symbols), keys_(keys), result_(result) {}

  // Decodes the frame read through `window`; true once a MAC verified.
  bool Try(const Window& window) {
    if (result_->verified || attempts_ >= kMaxDecodeAttempts) return result_->verified;
    if (std::find(tried_.begin(), tried_.end(), window) != tried_.end()) return false;
    tried_.push_back(window);

    CodeVotes votes;
    bool any = false;
    size_t r = (window.begin + kFrameSymbols - window.phase) % kFrameSymbols;
    for (size_t c = window.begin; c < window.end; ++c) {
      if (r >= static_cast<size_t>(kSyncSymbols)) {
        votes.Add(static_cast<int>(r) - kSyncSymbols, symbols_[c]);
        any = true;
      }
      if (++r == kFrameSymbols) r = 0;
    }
    if (!any) return false;

    ++attempts_;
    const DecodedFrame decoded = DecodeVotes(votes);
    const OpenedPayload opened = OpenPayload(decoded.payload, keys_, PayloadDomain::kTextUnicode);
    result_->mac_checks += opened.mac_checks;
    if (opened.verified()) {
      result_->verified = true;
      result_->key = opened.key;
      result_->payload = opened.fields;
      return true;
    }
    const double p = CodewordPValue(decoded.observed_bits, decoded.disagreements);
    if (!result_->payload.has_value() || p < best_codeword_p_) {
      best_codeword_p_ = p;
      result_->payload = opened.fields;
    }
    return false;
  }

  bool exhausted() const { return result_->verified || attempts_ >= kMaxDecodeAttempts; }
  double best_codeword_p() const { return best_codeword_p_; }

 private:
  absl::Span<const uint8_t> symbols_;
  const KeySet& keys_;
  TextDetection* result_;
  int attempts_ = 0;
  std::vector<Window> tried_;
  double best_codeword_p_ = 1.0;
};

// log(n choose k).
double LogChoose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

double SyncPValue(size_t carriers, size_t max_syncs) {
  if (max_syncs == 0) return 1.0;
  const size_t trials = (carriers + kFrameSymbols - 1) / kFrameSymbols;
  if (max_syncs > trials) return 0.0;
  // Upper tail of Binomial(trials, q), summed from max_syncs until the
  // terms stop mattering (they fall fast: q is tiny).
  const double log_q = std::log(kSyncChance);
  const double log_1mq = std::log1p(-kSyncChance);
  double tail = 0.0;
  for (size_t i = max_syncs; i <= trials; ++i) {
    const double term =
        std::exp(LogChoose(static_cast<double>(trials), static_cast<double>(i)) +
                 static_cast<double>(i) * log_q + static_cast<double>(trials - i) * log_1mq);
    tail += term;
    if (term < tail * 1e-17) break;
  }
  return std::min(1.0, kFrameSymbols * tail);
}

double CodewordPValue(int observed, int disagreements) {
  if (observed <= kPayloadBits || disagreements < 0) return 1.0;
  double log2_ball = -std::numeric_limits<double>::infinity();
  for (int i = 0; i <= disagreements && i <= observed; ++i) {
    const double log2_term = LogChoose(observed, i) / std::log(2.0);
    const double hi = std::max(log2_ball, log2_term);
    log2_ball = hi + std::log2(std::exp2(log2_ball - hi) + std::exp2(log2_term - hi));
  }
  return std::min(1.0, std::exp2(kPayloadBits - observed + log2_ball));
}

TextDetection DetectFrames(absl::Span<const uint8_t> symbols, const KeySet& keys) {
  TextDetection result;
  result.carriers = symbols.size();
  const std::vector<size_t> syncs = FindSyncs(symbols);
  result.syncs = syncs.size();
  if (syncs.empty()) return result;

  // Syncs per phase, strongest phase first (ties: earliest sync first).
  struct Phase {
    size_t phase;
    size_t count;
    size_t first;
  };
  std::vector<Phase> phases;
  for (size_t p : syncs) {
    const size_t phase = p % kFrameSymbols;
    auto it = std::find_if(phases.begin(), phases.end(),
                           [phase](const Phase& x) { return x.phase == phase; });
    if (it == phases.end()) {
      phases.push_back({phase, 1, p});
    } else {
      ++it->count;
    }
  }
  std::stable_sort(phases.begin(), phases.end(),
                   [](const Phase& a, const Phase& b) { return a.count > b.count; });
  const double sync_p = SyncPValue(symbols.size(), phases.front().count);

  Decoder decoder(symbols, keys, &result);
  const size_t n = symbols.size();
  // (a) Every copy in a phase: an unedited text votes with all its frames.
  // Each costs a pass over all carriers, so only the strongest phases.
  for (size_t k = 0; k < phases.size() && k < kMaxWholeTextPhases; ++k) {
    if (decoder.Try({phases[k].phase, 0, n})) break;
  }
  // (b) Each sync with the frame after it and the code part of the frame
  // before it: the window any 86-carrier fragment provides.
  const size_t back = kFrameSymbols - kSyncSymbols;
  for (size_t i = 0; i < syncs.size() && !decoder.exhausted(); ++i) {
    const size_t p = syncs[i];
    decoder.Try({p % kFrameSymbols, p >= back ? p - back : 0, std::min(n, p + kFrameSymbols)});
  }
  // (c) One side only, for a sync next to an edit.
  for (size_t i = 0; i < syncs.size() && !decoder.exhausted(); ++i) {
    const size_t p = syncs[i];
    decoder.Try({p % kFrameSymbols, p, std::min(n, p + kFrameSymbols)});
    if (p > 0) decoder.Try({p % kFrameSymbols, p >= back ? p - back : 0, p});
  }

  if (result.verified) {
    result.detected = true;
    result.false_positive_probability =
        std::min(1.0, static_cast<double>(result.mac_checks) * std::exp2(-kPayloadMacBits));
    return result;
  }
  // Two tests, each a valid p-value (the codeword one over every attempt
  // that could have been made): report twice the smaller.
  const double codeword_p = std::min(1.0, kMaxDecodeAttempts * decoder.best_codeword_p());
  result.false_positive_probability = std::min(1.0, 2 * std::min(sync_p, codeword_p));
  result.detected = result.false_positive_probability < kDetectionPValue;
  return result;
}

}  // namespace hallmark::watermark::unicode_text
