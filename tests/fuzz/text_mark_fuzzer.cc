// UnicodeScheme::Mark and the stream marker on arbitrary text, cut into
// pieces chosen by the input. Checks the scheme's contracts: the stream
// releases exactly what Mark returns, and a marked text verifies with the
// payload it carries.
//
// Input: 8 bytes of parameters (payload fields and the chunking seed), then
// the text.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "tests/fuzz/fuzz_keys.h"
#include "watermark/payload/payload.h"
#include "watermark/text/unicode/unicode_scheme.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hallmark::fuzz::FuzzCheck;
  namespace wm = hallmark::watermark;
  constexpr size_t kParamBytes = 8;
  if (size < kParamBytes) return 0;
  uint64_t params = 0;
  std::memcpy(&params, data, kParamBytes);
  const absl::string_view text(reinterpret_cast<const char*>(data + kParamBytes),
                               size - kParamBytes);

  static const wm::UnicodeScheme scheme;
  const wm::KeySet& keys = hallmark::fuzz::FixedKeys();
  const wm::WatermarkKey& key = *keys.keys()[0];
  wm::PayloadFields fields;
  fields.key_tag = key.tag();
  fields.space_tag = static_cast<uint16_t>(params);
  fields.hour = static_cast<uint32_t>(params >> 16) & wm::kMaxHour;
  fields.nonce = static_cast<uint16_t>(params >> 34) & wm::kMaxNonce;

  const wm::TextMarkResult marked = scheme.Mark(text, fields, key);
  if (!marked.marked) FuzzCheck(marked.text == text);

  // Pieces of 1..64 bytes from a xorshift generator seeded by the input.
  uint64_t state = (params >> 48) | 1;
  auto stream = scheme.NewStreamMarker(fields, key);
  std::string streamed;
  for (size_t pos = 0; pos < text.size();) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const size_t piece = std::min<size_t>(1 + state % 64, text.size() - pos);
    streamed += stream->Append(text.substr(pos, piece));
    pos += piece;
  }
  streamed += stream->Finish();
  FuzzCheck(stream->held_bytes() == 0);
  FuzzCheck(streamed == marked.text);
  FuzzCheck(stream->marked() == marked.marked);

  if (marked.marked) {
    const wm::TextDetection found = scheme.Detect(marked.text, keys);
    FuzzCheck(found.verified);
    FuzzCheck(found.key == &key);
    FuzzCheck(found.payload.has_value() && *found.payload == fields);
  }
  return 0;
}
