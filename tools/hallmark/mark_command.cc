// hallmark mark: marks a file offline with the sidecar's own pipeline.
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/text/text_mark_pipeline.h"
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

int RunMark(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"keys", "policy", "space", "out"});
  if (!args.ok()) return UsageError("mark", std::string(args.status().message()));
  if (args->positional().size() != 1) return UsageError("mark", "expected one INPUT file");
  auto input = ReadInput(args->positional()[0]);
  if (!input.ok()) return UsageError("mark", std::string(input.status().message()));
  if (const image::ImageFormat format = image::SniffImageFormat(*input);
      format != image::ImageFormat::kUnknown) {
    return UsageError("mark", absl::StrCat("INPUT is a ", image::ImageFormatName(format),
                                           " image; image marking is not built yet"));
  }
  if (!IsValidUtf8(*input)) return UsageError("mark", "INPUT is not valid UTF-8 text");

  auto offline = MakeOfflineSidecar(args->Get("policy"), args->Get("keys"), true);
  if (!offline.ok()) return UsageError("mark", std::string(offline.status().message()));
  sidecar::TextMarkPipeline pipeline((*offline)->clock, (*offline)->metrics);
  const std::string space = args->Get("space", "local/cli");
  sidecar::TextMarkCall call{space, *input, "", ""};
  absl::StatusOr<hallmark::v1::MarkTextResponse> response =
      pipeline.Mark(*(*offline)->config->Current(), call);

  const bool to_file = args->Has("out");
  FILE* json_stream = to_file ? stdout : stderr;
  if (!response.ok()) {
    const hallmark::v1::Reason reason = sidecar::BlockedReason(response.status());
    if (reason == hallmark::v1::REASON_UNSPECIFIED) {
      return UsageError("mark", std::string(response.status().message()));
    }
    JsonLine json;
    json.Add("decision", hallmark::v1::Decision_Name(hallmark::v1::DECISION_BLOCKED))
        .Add("reason", hallmark::v1::Reason_Name(reason))
        .Add("error", response.status().message());
    std::fputs(json.str().c_str(), json_stream);
    return kExitNegative;
  }
  if (to_file) {
    std::ofstream out(args->Get("out"), std::ios::binary | std::ios::trunc);
    out << response->text();
    if (!out) return UsageError("mark", absl::StrCat("cannot write ", args->Get("out")));
  } else {
    std::fwrite(response->text().data(), 1, response->text().size(), stdout);
    std::fflush(stdout);
  }
  JsonLine json;
  json.Add("decision", hallmark::v1::Decision_Name(response->decision()))
      .Add("reason", hallmark::v1::Reason_Name(response->reason()))
      .Add("payload_id", response->payload_id())
      .Add("key_id", response->key_id())
      .Add("scheme", response->scheme())
      .Add("micros", static_cast<int64_t>(response->server_micros()))
      .Add("space", space)
      .Add("carriers", static_cast<int64_t>(response->carriers()))
      .Add("carriers_needed", static_cast<int64_t>(response->carriers_needed()));
  std::fputs(json.str().c_str(), json_stream);
  return kExitOk;
}

}  // namespace hallmark::cli
