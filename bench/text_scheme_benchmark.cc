// Mark and Detect of the `unicode` text scheme on English prose mixed with
// Markdown (tests/data/text/), at 1, 4 and 16 KiB. Target (docs/
// text-unicode-scheme.md): 4 KiB in <= 20 us each on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/unicode_scheme.h"

namespace hallmark::watermark {
namespace {

std::string ReadFile(const char* name) {
  std::ifstream in(absl::StrCat(HALLMARK_TEXT_CORPUS_DIR, "/", name), std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// `size` bytes of prose and Markdown, cut at a line break.
std::string Corpus(size_t size) {
  const std::string source =
      absl::StrCat(ReadFile("markdown_answer.md"), "\n\n", ReadFile("prose_en.txt"));
  std::string text;
  while (text.size() < size) absl::StrAppend(&text, source, "\n\n");
  const size_t cut = text.rfind('\n', size);
  text.resize(cut == std::string::npos ? size : cut);
  return text;
}

struct Fixture {
  Fixture() {
    const std::string secret = "benchmark secret, not a real one";
    key = *WatermarkKey::Create(
        "bench",
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
    keys = KeySet({key});
    fields = NewPayloadFields("org/app", *key, absl::Now());
  }
  UnicodeScheme scheme;
  std::shared_ptr<const WatermarkKey> key;
  KeySet keys;
  PayloadFields fields;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_Mark(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string text = Corpus(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    TextMarkResult result = f.scheme.Mark(text, f.fields, *f.key);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["carriers"] = static_cast<double>(unicode_text::FindCarriers(text).size());
}
BENCHMARK(BM_Mark)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10);

void BM_Detect(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string text =
      f.scheme.Mark(Corpus(static_cast<size_t>(state.range(0))), f.fields, *f.key).text;
  for (auto _ : state) {
    TextDetection detection = f.scheme.Detect(text, f.keys);
    if (!detection.verified) state.SkipWithError("not verified");
    benchmark::DoNotOptimize(detection);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Detect)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10);

// Detect on text that carries no mark: the common case for a scanner of
// arbitrary content.
void BM_DetectUnmarked(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string text = Corpus(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    TextDetection detection = f.scheme.Detect(text, f.keys);
    benchmark::DoNotOptimize(detection);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DetectUnmarked)->Arg(4 << 10);

// Streaming in token-sized deltas, as an inference server sends them.
void BM_StreamMark(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string text = Corpus(static_cast<size_t>(state.range(0)));
  constexpr size_t kDelta = 6;
  for (auto _ : state) {
    std::unique_ptr<TextStreamMarker> marker = f.scheme.NewStreamMarker(f.fields, *f.key);
    size_t out = 0;
    for (size_t pos = 0; pos < text.size(); pos += kDelta) {
      out += marker->Append(absl::string_view(text).substr(pos, kDelta)).size();
    }
    out += marker->Finish().size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_StreamMark)->Arg(4 << 10);

void BM_FindCarriers(benchmark::State& state) {
  const std::string text = Corpus(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto carriers = unicode_text::FindCarriers(text);
    benchmark::DoNotOptimize(carriers);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FindCarriers)->Arg(4 << 10);

}  // namespace
}  // namespace hallmark::watermark

BENCHMARK_MAIN();
