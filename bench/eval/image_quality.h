// Invisibility metrics for hallmark-eval: PSNR over 8-bit samples and SSIM
// on luminance.
//
// All functions are pure and thread-safe.
#ifndef HALLMARK_BENCH_EVAL_IMAGE_QUALITY_H_
#define HALLMARK_BENCH_EVAL_IMAGE_QUALITY_H_

#include "watermark/image/codec/image.h"

namespace hallmark::eval {

// PSNR in dB (peak 255) over every colour sample of two images of the same
// size and channel count (alpha excluded); +inf when they are identical,
// NaN when the shapes differ.
double Psnr(const image::Image& a, const image::Image& b);

// Mean SSIM (Wang, Bovik, Sheikh, Simoncelli 2004) of the BT.601 luminance
// (0.299 R + 0.587 G + 0.114 B; the gray channel of gray images) of `a` and
// `b`: the standard Gaussian window (11 x 11, sigma 1.5), K1 = 0.01,
// K2 = 0.03, L = 255, population (not sample) variances as in the authors'
// reference code, averaged over the positions where the whole window fits in
// the image (no padding). NaN when the shapes differ or the image is smaller
// than the window.
double SsimLuminance(const image::Image& a, const image::Image& b);

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_IMAGE_QUALITY_H_
