// Texts and keys shared by the unicode scheme tests. The texts live in
// tests/data/text/ (one language or format per file).
#ifndef HALLMARK_TESTS_WATERMARK_TEXT_UNICODE_TEST_CORPUS_H_
#define HALLMARK_TESTS_WATERMARK_TEXT_UNICODE_TEST_CORPUS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::watermark::testing {

struct CorpusText {
  std::string name;
  std::string text;
};

// The file `name` of tests/data/text/; fails the test if it is missing.
std::string ReadCorpusFile(absl::string_view name);

// Every text long enough to be marked (prose, Markdown, mixed CJK, emoji,
// Arabic and Hebrew, German and French).
std::vector<CorpusText> MarkableCorpus();

// Texts written without spaces (pure Chinese, pure Japanese).
std::vector<CorpusText> SpacelessCorpus();

// A key with a fixed secret derived from `id`.
std::shared_ptr<const WatermarkKey> TestKey(absl::string_view id);

// Fields for `key` that vary with `seed` in every field.
PayloadFields TestFields(const WatermarkKey& key, uint32_t seed);

}  // namespace hallmark::watermark::testing

#endif  // HALLMARK_TESTS_WATERMARK_TEXT_UNICODE_TEST_CORPUS_H_
