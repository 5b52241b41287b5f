// hallmark detect: looks for a mark in a file offline.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/detect/detect_pipeline.h"
#include "sidecar/provenance/content_credentials.h"
#include "sidecar/text/utf8.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"
#include "tools/hallmark/offline_sidecar.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::cli {

int RunDetect(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"keys", "policy", "c2pa_trust_anchors"});
  if (!args.ok()) return UsageError("detect", std::string(args.status().message()));
  if (args->positional().size() != 1) return UsageError("detect", "expected one INPUT file");
  auto input = ReadInput(args->positional()[0]);
  if (!input.ok()) return UsageError("detect", std::string(input.status().message()));
  const bool is_image = image::SniffImageFormat(*input) != image::ImageFormat::kUnknown;
  if (!is_image) {
    if (absl::Status utf8 = sidecar::CheckUtf8("INPUT", *input); !utf8.ok()) {
      return UsageError("detect",
                        absl::StrCat(utf8.message(), " (and it is not a PNG/JPEG/WebP image)"));
    }
  }
  if (!args->Has("keys")) {
    std::fprintf(stderr,
                 "hallmark detect: no --keys given: a mark can be found but not verified\n");
  }
  auto offline = MakeOfflineSidecar(args->Get("policy"), args->Get("keys"), false);
  if (!offline.ok()) return UsageError("detect", std::string(offline.status().message()));
  // Reading manifests needs only the trust anchors.
  absl::StatusOr<std::unique_ptr<sidecar::ContentCredentials>> credentials =
      sidecar::ContentCredentials::LoadForVerifying(args->Get("c2pa_trust_anchors"));
  if (!credentials.ok()) return UsageError("detect", std::string(credentials.status().message()));
  sidecar::DetectPipeline pipeline((*offline)->clock, (*offline)->metrics, (*offline)->text_schemes,
                                   &(*offline)->image_schemes, /*image_gate=*/nullptr,
                                   credentials->get());
  hallmark::v1::DetectRequest request;
  if (is_image) {
    request.set_image(*std::move(input));
  } else {
    request.set_text(*std::move(input));
  }
  auto response = pipeline.Detect(*(*offline)->config->Current(), request);
  if (!response.ok()) return UsageError("detect", std::string(response.status().message()));

  JsonLine json;
  json.Add("detected", response->detected())
      .Add("verified", response->verified())
      .Add("payload_id", response->payload_id())
      .Add("key_id", response->key_id())
      .Add("space_tag", static_cast<int64_t>(response->space_tag()))
      .Add("space", response->space())
      .Add("timestamp",
           response->has_timestamp()
               ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                  absl::FromUnixSeconds(response->timestamp().seconds()),
                                  absl::UTCTimeZone())
               : std::string())
      .Add("false_positive_probability", response->false_positive_probability())
      .Add("scheme", response->scheme())
      .Add("carriers", static_cast<int64_t>(response->carriers()));
  if (is_image) {
    const hallmark::v1::C2paReport& c2pa = response->c2pa();
    json.Add("geometry", response->geometry())
        .Add("c2pa_present", c2pa.present())
        .Add("c2pa_valid", c2pa.valid())
        .Add("c2pa_signature_valid", c2pa.signature_valid())
        .Add("c2pa_hard_binding_valid", c2pa.hard_binding_valid())
        .Add("c2pa_trusted", c2pa.trusted())
        .Add("c2pa_signer", c2pa.signer())
        .Add("c2pa_manifest", c2pa.manifest_label())
        .Add("c2pa_soft_binding", c2pa.soft_binding())
        .Add("c2pa_soft_binding_payload_id", c2pa.soft_binding_payload_id())
        .Add("c2pa_failures", absl::StrJoin(c2pa.failures(), ","))
        .Add("c2pa_summary", c2pa.summary());
  }
  std::fputs(json.str().c_str(), stdout);
  return response->verified() ? kExitOk : kExitNegative;
}

}  // namespace hallmark::cli
