#include "watermark/provenance/c2pa/asset_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

namespace hallmark::c2pa {

watermark::Sha256Digest HashExcluding(absl::string_view asset,
                                      absl::Span<const ByteRange> excluded) {
  std::vector<ByteRange> ranges(excluded.begin(), excluded.end());
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.start < b.start; });
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Like watermark::Sha256: OpenSSL fails here only when out of memory.
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) std::abort();
  size_t pos = 0;
  for (const ByteRange& range : ranges) {
    const size_t start = std::min(range.start, asset.size());
    const size_t end = start + std::min(range.length, asset.size() - start);
    if (start > pos && EVP_DigestUpdate(ctx.get(), asset.data() + pos, start - pos) != 1) {
      std::abort();
    }
    pos = std::max(pos, end);
  }
  watermark::Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestUpdate(ctx.get(), asset.data() + pos, asset.size() - pos) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
    std::abort();
  }
  return digest;
}

}  // namespace hallmark::c2pa
