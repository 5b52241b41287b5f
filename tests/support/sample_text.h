// Texts for sidecar tests: long enough to carry a mark, and too short.
#ifndef HALLMARK_TESTS_SUPPORT_SAMPLE_TEXT_H_
#define HALLMARK_TESTS_SUPPORT_SAMPLE_TEXT_H_

#include <string>

namespace hallmark::testing {

// About 300 words of plain prose: far above the unicode scheme's minimum.
inline std::string LongProse() {
  std::string text;
  const char* sentences[] = {
      "The committee met on a grey morning to review the plans for the new library. ",
      "Several members argued that the reading rooms should face the park, where the light "
      "is softer in the afternoon. ",
      "Others worried about the cost of the glass and the heat it would let in during summer. ",
      "In the end they agreed to ask the architects for two versions of the design, and to "
      "decide after hearing from the people who would use the building every day. ",
  };
  for (int i = 0; i < 6; ++i) {
    for (const char* s : sentences) text += s;
  }
  return text;
}

inline std::string ShortText() { return "Sure! The capital of France is Paris."; }

// Maps the unicode scheme's alternative spaces back to U+0020.
inline std::string NormalizeSpaces(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i + 2 < text.size() && text[i] == '\xE2' && text[i + 1] == '\x80' &&
        (text[i + 2] == '\x84' || text[i + 2] == '\x85' || text[i + 2] == '\x88')) {
      out.push_back(' ');
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace hallmark::testing

#endif  // HALLMARK_TESTS_SUPPORT_SAMPLE_TEXT_H_
