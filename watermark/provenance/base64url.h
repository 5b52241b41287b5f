// Base64url without padding (RFC 4648 §5, as JWS uses it: RFC 7515 §2).
#ifndef HALLMARK_WATERMARK_PROVENANCE_BASE64URL_H_
#define HALLMARK_WATERMARK_PROVENANCE_BASE64URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::provenance {

// Encodes with the URL-safe alphabet and no '=' padding.
std::string Base64UrlEncode(absl::string_view bytes);

// Decodes the canonical form only, as its input may come from anyone: the
// URL-safe alphabet, no padding, no whitespace, no length that cannot occur
// (4k+1), and zero bits after the last whole byte (so that every byte string
// has exactly one encoding). INVALID_ARGUMENT names the offending offset.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace hallmark::provenance

#endif  // HALLMARK_WATERMARK_PROVENANCE_BASE64URL_H_
