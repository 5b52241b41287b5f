#include "tests/watermark/text/unicode/test_corpus.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace hallmark::watermark::testing {

std::string ReadCorpusFile(absl::string_view name) {
  const std::string path = absl::StrCat(HALLMARK_TEXT_CORPUS_DIR, "/", name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<CorpusText> MarkableCorpus() {
  std::vector<CorpusText> corpus;
  for (const char* name : {"prose_en.txt", "markdown_answer.md", "cjk_mixed.txt", "emoji.txt",
                           "rtl_ar_he.txt", "european_de_fr.txt"}) {
    corpus.push_back({name, ReadCorpusFile(name)});
  }
  return corpus;
}

std::vector<CorpusText> SpacelessCorpus() {
  std::vector<CorpusText> corpus;
  for (const char* name : {"cjk_pure_zh.txt", "cjk_pure_ja.txt"}) {
    corpus.push_back({name, ReadCorpusFile(name)});
  }
  return corpus;
}

std::shared_ptr<const WatermarkKey> TestKey(absl::string_view id) {
  const std::string secret = absl::StrCat("test secret for ", id, " ..........");
  auto key = WatermarkKey::Create(
      id, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : nullptr;
}

PayloadFields TestFields(const WatermarkKey& key, uint32_t seed) {
  PayloadFields fields;
  fields.key_tag = key.tag();
  fields.space_tag = static_cast<uint16_t>(seed * 7919 + 0xA5C3);
  fields.hour = (seed * 104729u + 12345u) & kMaxHour;
  fields.nonce = static_cast<uint16_t>((seed * 31337u + 4242u) & kMaxNonce);
  return fields;
}

}  // namespace hallmark::watermark::testing
