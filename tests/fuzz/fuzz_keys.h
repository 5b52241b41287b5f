// A fixed key set for the fuzz targets: deterministic, so that a crashing
// input reproduces.
#ifndef HALLMARK_TESTS_FUZZ_FUZZ_KEYS_H_
#define HALLMARK_TESTS_FUZZ_FUZZ_KEYS_H_

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "watermark/key/watermark_key.h"

namespace hallmark::fuzz {

// Two keys, "fuzz-a" (the marking key) and "fuzz-b". Built once, never freed.
inline const watermark::KeySet& FixedKeys() {
  static const watermark::KeySet* keys = [] {
    std::vector<std::shared_ptr<const watermark::WatermarkKey>> list;
    for (const char* id : {"fuzz-a", "fuzz-b"}) {
      std::vector<uint8_t> secret(32);
      for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + id[5]);
      auto key = watermark::WatermarkKey::Create(id, secret);
      if (!key.ok()) std::abort();
      list.push_back(*std::move(key));
    }
    return new watermark::KeySet(std::move(list));
  }();
  return *keys;
}

// Aborts (a finding) when `condition` is false; libFuzzer saves the input.
inline void FuzzCheck(bool condition) {
  if (!condition) std::abort();
}

}  // namespace hallmark::fuzz

#endif  // HALLMARK_TESTS_FUZZ_FUZZ_KEYS_H_
