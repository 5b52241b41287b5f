// hallmark demo: sends a short, explained tour of traffic to a running
// hallmarkd over gRPC: policy per Space, MarkText, Detect on the whole and on
// a fragment, a too-short text, a token stream, and a generated image.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "hallmark/v1/hallmark.grpc.pb.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/channel.h"
#include "tools/hallmark/commands.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::cli {
namespace {

using ::hallmark::v1::Hallmark;

constexpr char kAnswer[] =
    "Solar panels turn sunlight into electricity through the photovoltaic effect. Each "
    "panel is made of many cells, usually cut from thin wafers of silicon, and every cell "
    "has two layers with slightly different chemistry. When light strikes the cell, it "
    "knocks electrons loose, and the boundary between the layers pushes them in one "
    "direction, which is what makes a current flow.\n\n"
    "A few practical points decide how much energy a home system really produces:\n\n"
    "- **Orientation.** In the northern hemisphere, panels facing south collect the most "
    "light over a day; east and west roofs still work but yield less.\n"
    "- **Shade.** Even a small shadow from a chimney or a tree can reduce the output of a "
    "whole string of panels, unless each panel has its own optimiser.\n"
    "- **Temperature.** Panels are slightly less efficient when they are hot, so a cool, "
    "bright spring day often beats a scorching afternoon in July.\n\n"
    "The inverter converts the direct current from the panels into the alternating current "
    "your appliances use, and a meter records what you send back to the grid. Most "
    "installers size a system from your past bills: they look at how many kilowatt hours "
    "you use in a year, how much roof you have, and what the local weather is like. A "
    "typical family home in a temperate climate might need between ten and twenty panels "
    "to cover most of its needs, and the system usually pays for itself within eight to "
    "twelve years, depending on prices and subsidies.\n";

constexpr char kShort[] = "Sure! The capital of France is Paris.";

void Deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

// Counts the spaces that now hold one of the alternative space code points.
int ChangedSpaces(const std::string& text) {
  int changed = 0;
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '\xE2' && text[i + 1] == '\x80' &&
        (text[i + 2] == '\x84' || text[i + 2] == '\x85' || text[i + 2] == '\x88')) {
      ++changed;
    }
  }
  return changed;
}

void PrintMark(const std::string& space, const grpc::Status& status,
               const hallmark::v1::MarkTextResponse& r) {
  if (!status.ok()) {
    std::printf("  %-16s -> gRPC %d %s\n", space.c_str(), status.error_code(),
                status.error_message().c_str());
    return;
  }
  std::printf("  %-16s -> %s %s payload=%s carriers=%d/%d server=%lld us, %d spaces changed\n",
              space.c_str(), hallmark::v1::Decision_Name(r.decision()).c_str(),
              r.reason() ? hallmark::v1::Reason_Name(r.reason()).c_str() : "",
              r.payload_id().empty() ? "-" : r.payload_id().c_str(), r.carriers(),
              r.carriers_needed(), static_cast<long long>(r.server_micros()),
              ChangedSpaces(r.text()));
}

void PrintDetect(const std::string& what, Hallmark::Stub& stub, const std::string& text) {
  grpc::ClientContext context;
  Deadline(context);
  hallmark::v1::DetectRequest request;
  request.set_text(text);
  hallmark::v1::DetectResponse r;
  const grpc::Status status = stub.Detect(&context, request, &r);
  if (!status.ok()) {
    std::printf("  %-34s -> gRPC %d %s\n", what.c_str(), status.error_code(),
                status.error_message().c_str());
    return;
  }
  std::printf("  %-34s -> detected=%s verified=%s payload=%s space=%s fpp=%.3g\n", what.c_str(),
              r.detected() ? "yes" : "no", r.verified() ? "yes" : "no",
              r.payload_id().empty() ? "-" : r.payload_id().c_str(),
              r.space().empty() ? "-" : r.space().c_str(), r.false_positive_probability());
}

// A 640x400 "generated" picture (smooth colour fields, ripples and fine
// texture, like a diffusion model's output) as a JPEG, quality 90.
std::string DemoJpeg() {
  absl::StatusOr<image::Image> created = image::Image::Create(640, 400, image::ColorModel::kRgb);
  if (!created.ok()) return "";
  image::Image& pixels = *created;
  uint32_t noise = 12345;
  for (int y = 0; y < pixels.height(); ++y) {
    for (int x = 0; x < pixels.width(); ++x) {
      noise = noise * 1664525u + 1013904223u;
      const float grain = static_cast<float>(noise >> 24) / 32.0f - 4.0f;
      const float ripple = 40.0f * std::sin(x * 0.031f + std::cos(y * 0.017f) * 3.0f);
      pixels.Row(0, y)[x] = 120.0f + 0.15f * x + ripple + grain;
      pixels.Row(1, y)[x] = 90.0f + 0.25f * y + 0.5f * ripple + grain;
      pixels.Row(2, y)[x] = 160.0f - 0.1f * x + 0.2f * y - ripple + grain;
    }
  }
  image::ImageMetadata metadata;
  metadata.source_format = image::ImageFormat::kJpeg;
  absl::StatusOr<std::string> jpeg = image::EncodeImage(pixels, metadata, {});
  return jpeg.ok() ? *jpeg : "";
}

void PrintImageDetect(const std::string& what, Hallmark::Stub& stub, const std::string& image) {
  grpc::ClientContext context;
  Deadline(context);
  hallmark::v1::DetectRequest request;
  request.set_image(image);
  hallmark::v1::DetectResponse r;
  const grpc::Status status = stub.Detect(&context, request, &r);
  if (!status.ok()) {
    std::printf("  Detect(%s): %s\n", what.c_str(), status.error_message().c_str());
    return;
  }
  std::printf("  Detect(%s): verified=%s payload=%s space=%s geometry=%s\n", what.c_str(),
              r.verified() ? "yes" : "no", r.payload_id().c_str(), r.space().c_str(),
              r.geometry().c_str());
  std::printf("    C2PA: %s\n", r.c2pa().summary().c_str());
}

void RunImageDemo(Hallmark::Stub& stub) {
  std::printf(
      "\n== 6. MarkImage: a generated 640x400 JPEG (watermark + signed C2PA manifest) ==\n");
  const std::string jpeg = DemoJpeg();
  std::string marked;
  for (const char* space : {"demo/assistant", "demo/chat", "demo/canary", "demo/legacy"}) {
    grpc::ClientContext context;
    Deadline(context);
    hallmark::v1::MarkImageRequest request;
    request.set_space(space);
    request.set_image(jpeg);
    hallmark::v1::MarkImageResponse r;
    const grpc::Status status = stub.MarkImage(&context, request, &r);
    if (!status.ok()) {
      std::printf("  %-15s -> failed: %s\n", space, status.error_message().c_str());
      continue;
    }
    std::printf(
        "  %-15s -> %s %s payload=%s psnr=%.1f dB, %lld us (decode %lld, embed %lld, encode "
        "%lld)\n",
        space, hallmark::v1::Decision_Name(r.decision()).c_str(),
        hallmark::v1::Reason_Name(r.reason()).c_str(), r.payload_id().c_str(), r.psnr_db(),
        static_cast<long long>(r.server_micros()), static_cast<long long>(r.decode_micros()),
        static_cast<long long>(r.embed_micros()), static_cast<long long>(r.encode_micros()));
    if (r.has_c2pa()) {
      std::printf("  %-15s    + C2PA manifest %s, %lld bytes, signed in %lld us by %s%s\n", "",
                  r.c2pa().manifest_label().c_str(),
                  static_cast<long long>(r.c2pa().manifest_bytes()),
                  static_cast<long long>(r.c2pa().sign_micros()), r.c2pa().signer().c_str(),
                  r.c2pa().development_signer() ? " (development certificate: untrusted)" : "");
    }
    if (marked.empty() && r.decision() == hallmark::v1::DECISION_MARKED) marked = r.image();
  }
  if (!marked.empty()) PrintImageDetect("the marked image", stub, marked);
  PrintImageDetect("the original image", stub, jpeg);
}

}  // namespace

int RunDemo(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, WithChannelFlags({}));
  if (!args.ok()) return UsageError("demo", std::string(args.status().message()));
  const std::string addr = ChannelAddress(*args);
  auto channel = OpenChannel(*args);
  if (!channel.ok()) return UsageError("demo", std::string(channel.status().message()));
  auto stub = Hallmark::NewStub(*channel);
  const std::vector<std::string> spaces = {"demo/chat", "demo/assistant", "demo/canary",
                                           "demo/legacy", "someone/else"};

  std::printf("\n== 1. Policy per Space (GetPolicy) ==\n");
  for (const std::string& space : spaces) {
    grpc::ClientContext context;
    Deadline(context);
    hallmark::v1::GetPolicyRequest request;
    request.set_space(space);
    hallmark::v1::GetPolicyResponse r;
    const grpc::Status status = stub->GetPolicy(&context, request, &r);
    if (!status.ok()) {
      std::printf("cannot reach hallmarkd at %s: %s\n", addr.c_str(),
                  status.error_message().c_str());
      return kExitNegative;
    }
    std::printf(
        "  %-16s mode=%-8s budget=%u ms scheme=%s (%s)\n", space.c_str(),
        absl::AsciiStrToLower(hallmark::config::v1::Mode_Name(r.policy().mode()).substr(5)).c_str(),
        r.policy().budget_ms(), r.policy().text().scheme().c_str(),
        r.named() ? "named in the policy" : "default");
  }

  std::printf("\n== 2. MarkText: a %zu-byte answer, once per Space ==\n", sizeof(kAnswer) - 1);
  std::string marked;
  for (const std::string& space : spaces) {
    grpc::ClientContext context;
    Deadline(context);
    hallmark::v1::MarkTextRequest request;
    request.set_space(space);
    request.set_text(kAnswer);
    request.set_model("demo-model");
    hallmark::v1::MarkTextResponse r;
    const grpc::Status status = stub->MarkText(&context, request, &r);
    PrintMark(space, status, r);
    if (status.ok() && r.decision() == hallmark::v1::DECISION_MARKED && marked.empty()) {
      marked = r.text();
    }
  }

  std::printf("\n== 3. MarkText: a short answer (%zu bytes) ==\n", sizeof(kShort) - 1);
  for (const std::string& space : {std::string("demo/assistant"), std::string("demo/chat")}) {
    grpc::ClientContext context;
    Deadline(context);
    hallmark::v1::MarkTextRequest request;
    request.set_space(space);
    request.set_text(kShort);
    hallmark::v1::MarkTextResponse r;
    PrintMark(space, stub->MarkText(&context, request, &r), r);
  }

  std::printf("\n== 4. Detect ==\n");
  if (!marked.empty()) {
    PrintDetect("the marked answer", *stub, marked);
    // Roughly the second half of the marked text, cut at a character
    // boundary (the alternative spaces are 3 bytes long in UTF-8).
    size_t cut = marked.size() / 2 - 100;
    while (cut > 0 && (static_cast<unsigned char>(marked[cut]) & 0xC0) == 0x80) --cut;
    const std::string fragment = marked.substr(cut);
    PrintDetect(absl::StrCat("a fragment (", fragment.size(), " bytes)"), *stub, fragment);
  }
  PrintDetect("the original, unmarked answer", *stub, kAnswer);

  std::printf("\n== 5. MarkTextStream: the answer word by word (demo/assistant) ==\n");
  {
    grpc::ClientContext context;
    Deadline(context);
    auto stream = stub->MarkTextStream(&context);
    hallmark::v1::MarkTextStreamRequest request;
    request.set_space("demo/assistant");
    int sent = 0;
    int first_release = -1;
    std::string out;
    hallmark::v1::MarkTextStreamResponse response;
    hallmark::v1::MarkTextStreamResponse final_response;
    // Lock-step: after each word, drain what was released so far is not
    // possible with a synchronous stream without a reader thread, so the demo
    // writes every delta and reads the replies afterwards.
    for (absl::string_view word : absl::StrSplit(kAnswer, absl::ByString(" "))) {
      request.set_delta(absl::StrCat(sent == 0 ? "" : " ", word));
      stream->Write(request);
      request.clear_space();
      ++sent;
    }
    stream->WritesDone();
    int responses = 0;
    while (stream->Read(&response)) {
      if (!response.delta().empty() && first_release < 0) first_release = responses;
      out += response.delta();
      ++responses;
      if (response.final()) final_response = response;
    }
    const grpc::Status status = stream->Finish();
    if (!status.ok()) {
      std::printf("  stream failed: %s\n", status.error_message().c_str());
    } else {
      std::printf("  %d deltas in, %d responses out; decision %s payload=%s, %d spaces changed\n",
                  sent, responses, hallmark::v1::Decision_Name(final_response.decision()).c_str(),
                  final_response.payload_id().c_str(), ChangedSpaces(out));
      PrintDetect("the streamed answer", *stub, out);
    }
  }
  RunImageDemo(*stub);
  std::printf(
      "\nEvery call above is counted in hallmark_requests_total (by space, mode, "
      "decision, reason) and timed in hallmark_added_latency_seconds.\n");
  return kExitOk;
}

}  // namespace hallmark::cli
