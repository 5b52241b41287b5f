// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is the
// same on every platform and standard library (std:: distributions are
// not). Used where a sequence must be reproducible: the image scheme's keyed
// layout (part of the mark's format), test and benchmark data. Not a
// cryptographic generator: seed it from a MAC where secrecy matters.
#ifndef HALLMARK_WATERMARK_BASE_SPLIT_MIX64_H_
#define HALLMARK_WATERMARK_BASE_SPLIT_MIX64_H_

#include <cstdint>

namespace hallmark {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's
  // multiply-shift with rejection on the high 32 bits).
  uint32_t Below(uint32_t bound) {
    for (;;) {
      const uint64_t m = (Next() >> 32) * bound;
      if (static_cast<uint32_t>(m) >= (-bound) % bound) return static_cast<uint32_t>(m >> 32);
    }
  }

  // Uniform in the open interval (0, 1).
  double Uniform() { return ((Next() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace hallmark

#endif  // HALLMARK_WATERMARK_BASE_SPLIT_MIX64_H_
