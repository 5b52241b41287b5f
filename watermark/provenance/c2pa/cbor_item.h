// A thin owning layer over libcbor items, for the C2PA manifest: build the
// few shapes C2PA uses (maps with text or integer keys, arrays, text, byte
// strings, integers, tags, null) and read them back from untrusted bytes.
//
// Integers are written in their shortest form (RFC 8949 §4.2.1 preferred
// serialization); maps keep the order they were built in; lengths are
// definite. The reader refuses indefinite lengths and any string or
// container that declares more than its input holds, before libcbor sees
// it (libcbor 0.8 allocates for the declared count).
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_CBOR_ITEM_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_CBOR_ITEM_H_

#include <cbor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::c2pa {

struct CborItemRelease {
  void operator()(cbor_item_t* item) const;
};
// One reference to a libcbor item.
using CborItem = std::unique_ptr<cbor_item_t, CborItemRelease>;

CborItem CborText(absl::string_view text);
CborItem CborBytes(absl::string_view bytes);
CborItem CborUint(uint64_t value);
CborItem CborInt(int64_t value);
CborItem CborNull();
CborItem CborTagged(uint64_t tag, CborItem item);
CborItem CborArray(const std::vector<CborItem>& items);

// A definite-length map, keys in insertion order.
class CborMapBuilder {
 public:
  CborMapBuilder& Add(absl::string_view key, CborItem value);
  CborMapBuilder& Add(int64_t key, CborItem value);
  CborItem Build();

 private:
  std::vector<std::pair<CborItem, CborItem>> pairs_;
};

// The encoded bytes of `item`.
std::string CborEncode(const cbor_item_t* item);
// Decodes exactly one item that spans all of `bytes` (trailing bytes are an
// error). INVALID_ARGUMENT with libcbor's position on malformed input.
absl::StatusOr<CborItem> CborDecode(absl::string_view bytes);

// Readers: nullopt / nullptr when the item is absent or of another type.
const cbor_item_t* CborMapGet(const cbor_item_t* map, absl::string_view key);
const cbor_item_t* CborMapGet(const cbor_item_t* map, int64_t key);
std::optional<std::string> CborAsText(const cbor_item_t* item);
std::optional<std::string> CborAsBytes(const cbor_item_t* item);
std::optional<uint64_t> CborAsUint(const cbor_item_t* item);
std::optional<int64_t> CborAsInt(const cbor_item_t* item);
// The elements of a definite array; empty for anything else.
std::vector<const cbor_item_t*> CborArrayItems(const cbor_item_t* item);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_CBOR_ITEM_H_
