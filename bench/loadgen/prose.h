// Deterministic, English-like prose of a given size, shaped like a chat
// model's answer (paragraphs, an occasional heading, bullet list, **bold**
// phrase or `code` span), so that the text scheme sees realistic carrier
// density. The same seed always gives the same text, on every platform (own
// PRNG, no <random> distributions).
#ifndef HALLMARK_BENCH_LOADGEN_PROSE_H_
#define HALLMARK_BENCH_LOADGEN_PROSE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hallmark::loadgen {

// About `bytes` bytes (never more, at most one word fewer), ending on a word.
std::string GenerateProse(uint64_t seed, size_t bytes);

// Exactly `words` whitespace-separated words.
std::string GenerateProseWords(uint64_t seed, int words);

// Splits a text into stream tokens: each word with the whitespace after it.
// Concatenated, the tokens are the text.
std::vector<std::string> SplitIntoWordTokens(absl::string_view text);

// A set of distinct texts of about the same size, and a cheap way to make a
// different one per request: Get(i) copies variant i % variants and writes
// i (mod 10^6) into a six-digit number inside it, so no two requests within a
// million send the same text. Thread-safe (immutable after construction).
class TextPool {
 public:
  TextPool(size_t bytes, int variants, uint64_t seed);

  std::string Get(uint64_t i) const;
  size_t bytes() const { return bytes_; }

 private:
  struct Variant {
    std::string text;
    size_t number_offset;  // where the six digits are
  };
  size_t bytes_;
  std::vector<Variant> variants_;
};

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_PROSE_H_
