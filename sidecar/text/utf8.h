// UTF-8 well-formedness (Unicode 15, table 3-7): no stray continuation bytes,
// no overlong forms, no surrogates, nothing past U+10FFFF, no sequence cut
// off at the end. The same rule protobuf applies to `string` fields.
#ifndef HALLMARK_SIDECAR_TEXT_UTF8_H_
#define HALLMARK_SIDECAR_TEXT_UTF8_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace hallmark::sidecar {

// The offset of the first byte of the first ill-formed sequence in `bytes`,
// or nullopt when `bytes` is well-formed UTF-8.
absl::optional<size_t> FindInvalidUtf8(absl::string_view bytes);

// OK for well-formed UTF-8; otherwise INVALID_ARGUMENT saying that `what`
// is not valid UTF-8, at which byte offset, and the bytes found there, e.g.
// "text is not valid UTF-8: at byte 12: 0xff".
absl::Status CheckUtf8(absl::string_view what, absl::string_view bytes);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_TEXT_UTF8_H_
