#include "watermark/provenance/c2pa/cbor_item.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hallmark::c2pa {
namespace {

// libcbor reports allocation failure as nullptr; like the rest of the
// library, running out of memory ends the process.
cbor_item_t* Checked(cbor_item_t* item) {
  if (item == nullptr) std::abort();
  return item;
}

constexpr int kMaxCborDepth = 32;

// Walks one encoded item without building it, so that nothing untrusted
// reaches libcbor unless every declared length fits in the bytes that are
// there: libcbor 0.8 allocates a map or array for its declared count before
// reading its elements (a 9-byte input can ask for terabytes). Also refuses
// indefinite lengths (C2PA writes none) and reserved additional-info values.
// Advances `pos` past the item.
absl::Status CheckItemShape(absl::string_view bytes, size_t& pos, int depth) {
  if (depth > kMaxCborDepth) return absl::InvalidArgumentError("CBOR nested too deeply");
  if (pos >= bytes.size()) return absl::InvalidArgumentError("truncated CBOR");
  const auto initial = static_cast<uint8_t>(bytes[pos++]);
  const int major = initial >> 5;
  const int info = initial & 0x1F;
  uint64_t value = static_cast<uint64_t>(info);
  if (info >= 24) {
    if (info > 27) {
      return absl::InvalidArgumentError(info == 31 ? "indefinite-length CBOR is not supported"
                                                   : "reserved CBOR additional information");
    }
    const size_t width = size_t{1} << (info - 24);
    if (bytes.size() - pos < width) return absl::InvalidArgumentError("truncated CBOR");
    value = 0;
    for (size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[pos++]);
  }
  const size_t remaining = bytes.size() - pos;
  switch (major) {
    case 2:  // byte string
    case 3:  // text string
      if (value > remaining) return absl::InvalidArgumentError("CBOR string overruns its input");
      pos += static_cast<size_t>(value);
      return absl::OkStatus();
    case 4:    // array: each element takes at least one byte
    case 5: {  // map: two items per entry
      const uint64_t items = major == 5 ? 2 * std::min<uint64_t>(value, remaining + 1) : value;
      if (items > remaining) return absl::InvalidArgumentError("CBOR container overruns its input");
      for (uint64_t i = 0; i < items; ++i) {
        if (absl::Status s = CheckItemShape(bytes, pos, depth + 1); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    case 6:  // tag: one item follows
      return CheckItemShape(bytes, pos, depth + 1);
    default:  // integers and simple values: the header was all
      return absl::OkStatus();
  }
}

bool DefiniteString(const cbor_item_t* item) {
  return item != nullptr && cbor_isa_string(item) && cbor_string_is_definite(item);
}

}  // namespace

void CborItemRelease::operator()(cbor_item_t* item) const {
  if (item != nullptr) cbor_decref(&item);
}

CborItem CborText(absl::string_view text) {
  return CborItem(Checked(cbor_build_stringn(text.data(), text.size())));
}

CborItem CborBytes(absl::string_view bytes) {
  return CborItem(
      Checked(cbor_build_bytestring(reinterpret_cast<cbor_data>(bytes.data()), bytes.size())));
}

CborItem CborUint(uint64_t value) {
  if (value <= std::numeric_limits<uint8_t>::max()) {
    return CborItem(Checked(cbor_build_uint8(static_cast<uint8_t>(value))));
  }
  if (value <= std::numeric_limits<uint16_t>::max()) {
    return CborItem(Checked(cbor_build_uint16(static_cast<uint16_t>(value))));
  }
  if (value <= std::numeric_limits<uint32_t>::max()) {
    return CborItem(Checked(cbor_build_uint32(static_cast<uint32_t>(value))));
  }
  return CborItem(Checked(cbor_build_uint64(value)));
}

CborItem CborInt(int64_t value) {
  if (value >= 0) return CborUint(static_cast<uint64_t>(value));
  // CBOR stores -1 - n for a negative integer.
  const uint64_t n = static_cast<uint64_t>(-(value + 1));
  if (n <= std::numeric_limits<uint8_t>::max()) {
    return CborItem(Checked(cbor_build_negint8(static_cast<uint8_t>(n))));
  }
  if (n <= std::numeric_limits<uint16_t>::max()) {
    return CborItem(Checked(cbor_build_negint16(static_cast<uint16_t>(n))));
  }
  if (n <= std::numeric_limits<uint32_t>::max()) {
    return CborItem(Checked(cbor_build_negint32(static_cast<uint32_t>(n))));
  }
  return CborItem(Checked(cbor_build_negint64(n)));
}

CborItem CborNull() { return CborItem(Checked(cbor_new_null())); }

CborItem CborTagged(uint64_t tag, CborItem item) {
  return CborItem(Checked(cbor_build_tag(tag, item.get())));
}

CborItem CborArray(const std::vector<CborItem>& items) {
  CborItem array(Checked(cbor_new_definite_array(items.size())));
  for (const CborItem& item : items) {
    if (!cbor_array_push(array.get(), item.get())) std::abort();
  }
  return array;
}

CborMapBuilder& CborMapBuilder::Add(absl::string_view key, CborItem value) {
  pairs_.emplace_back(CborText(key), std::move(value));
  return *this;
}

CborMapBuilder& CborMapBuilder::Add(int64_t key, CborItem value) {
  pairs_.emplace_back(CborInt(key), std::move(value));
  return *this;
}

CborItem CborMapBuilder::Build() {
  CborItem map(Checked(cbor_new_definite_map(pairs_.size())));
  for (auto& [key, value] : pairs_) {
    if (!cbor_map_add(map.get(), cbor_pair{.key = key.get(), .value = value.get()})) {
      std::abort();
    }
  }
  pairs_.clear();
  return map;
}

std::string CborEncode(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  const size_t length = cbor_serialize_alloc(item, &buffer, &capacity);
  if (length == 0) std::abort();
  std::string out(reinterpret_cast<const char*>(buffer), length);
  free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): libcbor allocates with malloc.
  return out;
}

absl::StatusOr<CborItem> CborDecode(absl::string_view bytes) {
  size_t end = 0;
  if (absl::Status shape = CheckItemShape(bytes, end, 0); !shape.ok()) return shape;
  if (end != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("CBOR item ends at byte ", end, " of ", bytes.size()));
  }
  cbor_load_result result{};
  CborItem item(cbor_load(reinterpret_cast<cbor_data>(bytes.data()), bytes.size(), &result));
  if (item == nullptr || result.error.code != CBOR_ERR_NONE) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed CBOR at byte ", result.error.position));
  }
  if (result.read != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("CBOR item ends at byte ", result.read, " of ", bytes.size()));
  }
  return item;
}

const cbor_item_t* CborMapGet(const cbor_item_t* map, absl::string_view key) {
  if (map == nullptr || !cbor_isa_map(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    if (CborAsText(pairs[i].key) == key) return pairs[i].value;
  }
  return nullptr;
}

const cbor_item_t* CborMapGet(const cbor_item_t* map, int64_t key) {
  if (map == nullptr || !cbor_isa_map(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    if (CborAsInt(pairs[i].key) == key) return pairs[i].value;
  }
  return nullptr;
}

std::optional<std::string> CborAsText(const cbor_item_t* item) {
  if (!DefiniteString(item)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                     cbor_string_length(item));
}

std::optional<std::string> CborAsBytes(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                     cbor_bytestring_length(item));
}

std::optional<uint64_t> CborAsUint(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_uint(item)) return std::nullopt;
  return cbor_get_int(item);
}

std::optional<int64_t> CborAsInt(const cbor_item_t* item) {
  if (item == nullptr) return std::nullopt;
  const bool negative = cbor_isa_negint(item);
  if (!negative && !cbor_isa_uint(item)) return std::nullopt;
  const uint64_t raw = cbor_get_int(item);
  if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  const auto value = static_cast<int64_t>(raw);
  return negative ? -1 - value : value;
}

std::vector<const cbor_item_t*> CborArrayItems(const cbor_item_t* item) {
  std::vector<const cbor_item_t*> out;
  if (item == nullptr || !cbor_isa_array(item) || !cbor_array_is_definite(item)) return out;
  cbor_item_t** handle = cbor_array_handle(item);
  out.assign(handle, handle + cbor_array_size(item));
  return out;
}

}  // namespace hallmark::c2pa
