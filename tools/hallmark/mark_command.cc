// hallmark mark: marks a file offline with the sidecar's own pipeline.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/image/image_mark_pipeline.h"
#include "sidecar/keys/receipt_key.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/policy/usable_cores.h"
#include "sidecar/provenance/content_credentials.h"
#include "sidecar/text/text_mark_pipeline.h"
#include "sidecar/text/utf8.h"
#include "sidecar/version.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"
#include "tools/hallmark/offline_sidecar.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::cli {

int UsageError(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "hallmark %s: %s\n", command.c_str(), message.c_str());
  return kExitUsage;
}

namespace {

// Prints a BLOCKED verdict as the JSON line, or a usage error for anything
// else; returns the exit code.
int ReportMarkError(const absl::Status& status, FILE* json_stream) {
  const hallmark::v1::Reason reason = sidecar::BlockedReason(status);
  if (reason == hallmark::v1::REASON_UNSPECIFIED) {
    return UsageError("mark", std::string(status.message()));
  }
  JsonLine json;
  json.Add("decision", hallmark::v1::Decision_Name(hallmark::v1::DECISION_BLOCKED))
      .Add("reason", hallmark::v1::Reason_Name(reason))
      .Add("error", status.message());
  std::fputs(json.str().c_str(), json_stream);
  return kExitNegative;
}

// The fields every mark response shares, text or image, in the order the
// JSON line prints them.
template <typename Response>
JsonLine MarkJson(const Response& response, const std::string& space) {
  JsonLine json;
  json.Add("decision", hallmark::v1::Decision_Name(response.decision()))
      .Add("reason", hallmark::v1::Reason_Name(response.reason()))
      .Add("payload_id", response.payload_id())
      .Add("key_id", response.key_id())
      .Add("scheme", response.scheme())
      .Add("micros", static_cast<int64_t>(response.server_micros()))
      .Add("space", space);
  return json;
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

// Images: the marked file goes to --out (required: binary output), the JSON
// line to stdout.
int MarkImageFile(const Args& args, std::string input, OfflineSidecar& offline) {
  if (!args.Has("out")) return UsageError("mark", "image INPUT needs --out FILE");
  absl::StatusOr<std::unique_ptr<sidecar::ContentCredentials>> credentials =
      sidecar::ContentCredentials::Load(
          {args.Get("c2pa_private_key"), args.Get("c2pa_cert_chain"), ""}, sidecar::kVersion,
          absl::Now());
  if (!credentials.ok()) return UsageError("mark", std::string(credentials.status().message()));
  sidecar::ImageMarkPipeline pipeline(offline.clock, offline.metrics, offline.image_schemes,
                                      /*gate=*/nullptr, credentials->get(),
                                      sidecar::DetectUsableCores().cores);
  hallmark::v1::MarkImageRequest request;
  const std::string space = args.Get("space", "local/cli");
  request.set_space(space);
  request.set_image(std::move(input));
  request.set_output_format(args.Get("format"));
  absl::StatusOr<hallmark::v1::MarkImageResponse> response =
      pipeline.Mark(*offline.config->Current(), request);
  if (!response.ok()) return ReportMarkError(response.status(), stdout);
  if (!WriteFile(args.Get("out"), response->image())) {
    return UsageError("mark", absl::StrCat("cannot write ", args.Get("out")));
  }
  JsonLine json = MarkJson(*response, space);
  json.Add("format", response->format())
      .Add("width", static_cast<int64_t>(response->width()))
      .Add("height", static_cast<int64_t>(response->height()))
      .Add("psnr_db", response->psnr_db())
      .Add("decode_micros", static_cast<int64_t>(response->decode_micros()))
      .Add("embed_micros", static_cast<int64_t>(response->embed_micros()))
      .Add("encode_micros", static_cast<int64_t>(response->encode_micros()));
  if (response->has_c2pa()) {
    const hallmark::v1::C2paManifest& c2pa = response->c2pa();
    json.Add("c2pa_manifest", c2pa.manifest_label())
        .Add("c2pa_bytes", static_cast<int64_t>(c2pa.manifest_bytes()))
        .Add("c2pa_micros", static_cast<int64_t>(c2pa.sign_micros()))
        .Add("c2pa_signer", c2pa.signer())
        .Add("c2pa_development_signer", c2pa.development_signer());
    if (c2pa.development_signer()) {
      std::fputs(
          "hallmark mark: WARNING: the C2PA manifest is signed by a generated development "
          "certificate (untrusted); pass --c2pa_private_key and --c2pa_cert_chain for real use\n",
          stderr);
    }
  }
  std::fputs(json.str().c_str(), stdout);
  return kExitOk;
}

}  // namespace

int RunMark(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"keys", "policy", "space", "out", "format", "receipt_key",
                                 "c2pa_private_key", "c2pa_cert_chain"});
  if (!args.ok()) return UsageError("mark", std::string(args.status().message()));
  if (args->positional().size() != 1) return UsageError("mark", "expected one INPUT file");
  auto input = ReadInput(args->positional()[0]);
  if (!input.ok()) return UsageError("mark", std::string(input.status().message()));
  const bool is_image = image::SniffImageFormat(*input) != image::ImageFormat::kUnknown;
  if (!is_image) {
    if (absl::Status utf8 = sidecar::CheckUtf8("INPUT", *input); !utf8.ok()) {
      return UsageError("mark",
                        absl::StrCat(utf8.message(), " (and it is not a PNG/JPEG/WebP image)"));
    }
  }
  if (!is_image && args->Has("format")) return UsageError("mark", "--format is for images");

  auto offline = MakeOfflineSidecar(args->Get("policy"), args->Get("keys"), true);
  if (!offline.ok()) return UsageError("mark", std::string(offline.status().message()));
  if (is_image) {
    if (args->Has("receipt_key")) return UsageError("mark", "--receipt_key is for text");
  } else if (args->Has("c2pa_private_key") || args->Has("c2pa_cert_chain")) {
    return UsageError("mark", "--c2pa_private_key and --c2pa_cert_chain are for images");
  }
  if (is_image) {
    return MarkImageFile(*args, *std::move(input), **offline);
  }
  absl::StatusOr<sidecar::ReceiptKey> receipt_key;
  if (args->Has("receipt_key")) {
    receipt_key = sidecar::LoadReceiptKey(args->Get("receipt_key"));
    if (!receipt_key.ok()) return UsageError("mark", std::string(receipt_key.status().message()));
  }
  sidecar::TextMarkPipeline pipeline((*offline)->clock, (*offline)->metrics, /*gate=*/nullptr,
                                     receipt_key.ok() ? receipt_key->signer.get() : nullptr);
  const std::string space = args->Get("space", "local/cli");
  sidecar::TextMarkCall call{space, *input, "", ""};
  absl::StatusOr<hallmark::v1::MarkTextResponse> response =
      pipeline.Mark(*(*offline)->config->Current(), call);

  const bool to_file = args->Has("out");
  FILE* json_stream = to_file ? stdout : stderr;
  if (!response.ok()) return ReportMarkError(response.status(), json_stream);
  if (to_file) {
    if (!WriteFile(args->Get("out"), response->text())) {
      return UsageError("mark", absl::StrCat("cannot write ", args->Get("out")));
    }
  } else {
    std::fwrite(response->text().data(), 1, response->text().size(), stdout);
    std::fflush(stdout);
  }
  JsonLine json = MarkJson(*response, space);
  json.Add("carriers", static_cast<int64_t>(response->carriers()))
      .Add("carriers_needed", static_cast<int64_t>(response->carriers_needed()));
  if (args->Has("receipt_key")) json.Add("receipt", response->receipt());
  std::fputs(json.str().c_str(), json_stream);
  return kExitOk;
}

}  // namespace hallmark::cli
