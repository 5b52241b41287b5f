// hallmark detect: looks for a mark in a file offline.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/detect/detect_pipeline.h"
#include "sidecar/text/utf8.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"
#include "tools/hallmark/offline_sidecar.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::cli {

int RunDetect(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"keys", "policy"});
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
  sidecar::DetectPipeline pipeline((*offline)->clock, (*offline)->metrics, (*offline)->text_schemes,
                                   &(*offline)->image_schemes);
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
  if (is_image) json.Add("geometry", response->geometry());
  std::fputs(json.str().c_str(), stdout);
  return response->verified() ? kExitOk : kExitNegative;
}

}  // namespace hallmark::cli
