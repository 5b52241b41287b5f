#include "bench/loadgen/prose.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "watermark/base/split_mix64.h"

namespace hallmark::loadgen {
namespace {

// Identical everywhere (SplitMix64), so a seed always gives the same prose.
class Rng {
 public:
  explicit Rng(uint64_t seed) : mix_(seed) {}
  uint64_t Next() { return mix_.Next(); }
  // Uniform in [0, n).
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool OneIn(size_t n) { return Below(n) == 0; }
  template <typename T, size_t N>
  absl::string_view Pick(const std::array<T, N>& words) {
    return words[Below(N)];
  }

 private:
  SplitMix64 mix_;
};

constexpr std::array<absl::string_view, 48> kNouns = {
    "system",   "request",  "service",    "model",     "response", "budget",  "cache",
    "policy",   "team",     "user",       "document",  "process",  "result",  "approach",
    "network",  "latency",  "deployment", "report",    "question", "answer",  "change",
    "library",  "database", "pipeline",   "interface", "example",  "problem", "solution",
    "feature",  "customer", "server",     "client",    "workload", "metric",  "dashboard",
    "schedule", "decision", "review",     "update",    "release",  "project", "estimate",
    "summary",  "function", "record",     "message",   "config",   "signal"};
constexpr std::array<absl::string_view, 32> kPluralNouns = {
    "systems",   "requests",  "services",  "models",   "responses", "teams",    "users",
    "documents", "results",   "networks",  "changes",  "libraries", "examples", "problems",
    "features",  "customers", "servers",   "clients",  "metrics",   "reviews",  "updates",
    "releases",  "projects",  "estimates", "messages", "records",   "signals",  "engineers",
    "operators", "readers",   "details",   "tradeoffs"};
constexpr std::array<absl::string_view, 36> kAdjectives = {
    "simple",    "reliable",   "small",     "large",    "recent",    "careful",
    "common",    "useful",     "important", "clear",    "different", "specific",
    "practical", "fast",       "slow",      "stable",   "new",       "existing",
    "typical",   "careful",    "complete",  "separate", "shared",    "external",
    "internal",  "previous",   "current",   "expected", "measured",  "default",
    "optional",  "reasonable", "robust",    "modest",   "visible",   "final"};
constexpr std::array<absl::string_view, 36> kVerbs = {
    "reduces",    "handles",  "improves", "requires", "changes",  "describes",
    "supports",   "affects",  "includes", "explains", "measures", "protects",
    "replaces",   "extends",  "limits",   "shows",    "keeps",    "checks",
    "returns",    "updates",  "follows",  "uses",     "creates",  "reports",
    "simplifies", "delays",   "stores",   "tracks",   "accepts",  "rejects",
    "compares",   "combines", "reveals",  "hides",    "needs",    "avoids"};
constexpr std::array<absl::string_view, 24> kBaseVerbs = {
    "review",  "measure", "check",   "compare", "consider", "update",  "test",    "document",
    "monitor", "replace", "extend",  "limit",   "reduce",   "improve", "explain", "keep",
    "avoid",   "track",   "confirm", "adjust",  "plan",     "share",   "record",  "revisit"};
constexpr std::array<absl::string_view, 16> kAdverbs = {
    "usually", "often", "rarely",    "quickly",    "carefully", "clearly",   "simply", "mostly",
    "still",   "also",  "generally", "explicitly", "typically", "gradually", "easily", "already"};
constexpr std::array<absl::string_view, 14> kPrepositions = {
    "in",    "on",     "for",    "with",    "from",    "under",   "across",
    "after", "before", "during", "through", "without", "between", "behind"};
constexpr std::array<absl::string_view, 8> kDeterminers = {"the",  "a",    "each", "every",
                                                           "this", "that", "our",  "your"};
constexpr std::array<absl::string_view, 12> kOpeners = {
    "In practice,", "For example,",       "However,", "In most cases,",
    "As a result,", "At the same time,",  "First,",   "Finally,",
    "In short,",    "On the other hand,", "Usually,", "To be safe,"};
constexpr std::array<absl::string_view, 10> kCodeSpans = {
    "`max_bytes`", "`budget_ms`", "`--verbose`", "`retry()`", "`config.yaml`",
    "`timeout`",   "`GET /v1`",   "`null`",      "`async`",   "`p99`"};

constexpr std::array<absl::string_view, 9> kSentences = {
    "D A N V D N P D A N.",
    "O the N R V the A S.",
    "when D N V the N, you should B the A N P it.",
    "it is R A to B D N before the S B it.",
    "most S R B S P the A N, so D N V # percent of the S.",
    "most S R B C P the A N.",
    "the N V A S and V the N.",
    "the N V **A S** and V the N.",
    "O D A N V S P D N, and the S R B it.",
};

// Appends sentences (and now and then a heading or a list) to a text.
class ProseWriter {
 public:
  explicit ProseWriter(uint64_t seed) : rng_(seed) {}

  // Appends one block: a paragraph, or a heading or list before one.
  void AppendBlock(std::string& out) {
    if (!out.empty()) out += "\n\n";
    if (rng_.OneIn(7)) {
      out += "## ";
      const size_t begin = out.size();
      Expand("A S\n\n", out);
      out[begin] = static_cast<char>(absl::ascii_toupper(static_cast<unsigned char>(out[begin])));
    }
    if (rng_.OneIn(5)) {
      const size_t items = 3 + rng_.Below(3);
      for (size_t i = 0; i < items; ++i) {
        out += "- **";
        const size_t begin = out.size();
        Expand("N**: ", out);
        out[begin] = static_cast<char>(absl::ascii_toupper(static_cast<unsigned char>(out[begin])));
        AppendSentence(out);
        out += "\n";
      }
      out += "\n";
    }
    const size_t sentences = 3 + rng_.Below(4);
    for (size_t i = 0; i < sentences; ++i) {
      if (i > 0) out += " ";
      AppendSentence(out);
    }
  }

  void AppendSentence(std::string& out) {
    const size_t begin = out.size();
    Expand(kSentences[rng_.Below(kSentences.size())], out);
    out[begin] = static_cast<char>(absl::ascii_toupper(static_cast<unsigned char>(out[begin])));
  }

 private:
  // Appends a sentence template with its placeholders (the upper-case
  // letters; literal words are lower case) filled in order, so the output
  // does not depend on the compiler's argument evaluation order.
  void Expand(absl::string_view pattern, std::string& out) {
    for (char c : pattern) {
      switch (c) {
        case 'N':
          absl::StrAppend(&out, rng_.Pick(kNouns));
          break;
        case 'S':
          absl::StrAppend(&out, rng_.Pick(kPluralNouns));
          break;
        case 'A':
          absl::StrAppend(&out, rng_.Pick(kAdjectives));
          break;
        case 'V':
          absl::StrAppend(&out, rng_.Pick(kVerbs));
          break;
        case 'B':
          absl::StrAppend(&out, rng_.Pick(kBaseVerbs));
          break;
        case 'R':
          absl::StrAppend(&out, rng_.Pick(kAdverbs));
          break;
        case 'P':
          absl::StrAppend(&out, rng_.Pick(kPrepositions));
          break;
        case 'D':
          absl::StrAppend(&out, rng_.Pick(kDeterminers));
          break;
        case 'O':
          absl::StrAppend(&out, rng_.Pick(kOpeners));
          break;
        case 'C':
          absl::StrAppend(&out, rng_.Pick(kCodeSpans));
          break;
        case '#':
          absl::StrAppend(&out, 1 + rng_.Below(60));
          break;
        default:
          out += c;
      }
    }
  }

  Rng rng_;
};

size_t CountWords(absl::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Cuts `text` after its n-th word.
void KeepWords(std::string& text, size_t n) {
  size_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(text[i]));
    if (in_word && space && words == n) {
      text.resize(i);
      return;
    }
    if (!space && !in_word) ++words;
    in_word = !space;
  }
}

}  // namespace

std::string GenerateProse(uint64_t seed, size_t bytes) {
  ProseWriter writer(seed);
  std::string out;
  while (out.size() < bytes) writer.AppendBlock(out);
  if (out.size() > bytes) {
    // End on a whole word at or before `bytes`.
    size_t cut = bytes;
    while (cut > 0 && !absl::ascii_isspace(static_cast<unsigned char>(out[cut]))) --cut;
    while (cut > 0 && absl::ascii_isspace(static_cast<unsigned char>(out[cut - 1]))) --cut;
    out.resize(cut);
  }
  return out;
}

std::string GenerateProseWords(uint64_t seed, int words) {
  ProseWriter writer(seed);
  std::string out;
  while (CountWords(out) < static_cast<size_t>(words)) writer.AppendBlock(out);
  KeepWords(out, static_cast<size_t>(words));
  return out;
}

std::vector<std::string> SplitIntoWordTokens(absl::string_view text) {
  std::vector<std::string> tokens;
  size_t start = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) ++i;
    while (i < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[i]))) ++i;
    tokens.emplace_back(text.substr(start, i - start));
    start = i;
  }
  return tokens;
}

TextPool::TextPool(size_t bytes, int variants, uint64_t seed) : bytes_(bytes) {
  constexpr char kMarker[] = "000000";
  variants_.reserve(static_cast<size_t>(variants));
  for (int v = 0; v < variants; ++v) {
    const uint64_t variant_seed = seed * 1000003 + static_cast<uint64_t>(v);
    // A lead sentence holding the number; the rest fills up to `bytes`.
    std::string lead =
        absl::StrCat("Across ", kMarker, " sampled requests, the answer below held up.");
    std::string text =
        lead.size() + 1 < bytes
            ? absl::StrCat(lead, " ", GenerateProse(variant_seed, bytes - lead.size() - 1))
            : GenerateProse(variant_seed, bytes);
    const size_t offset = text.find(kMarker);
    variants_.push_back({std::move(text), offset});
  }
}

std::string TextPool::Get(uint64_t i) const {
  const Variant& variant = variants_[i % variants_.size()];
  std::string text = variant.text;
  if (variant.number_offset != std::string::npos) {
    uint64_t n = i % 1000000;
    for (int d = 5; d >= 0; --d) {
      text[variant.number_offset + static_cast<size_t>(d)] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
  }
  return text;
}

}  // namespace hallmark::loadgen
