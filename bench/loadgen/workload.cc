#include "bench/loadgen/workload.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hallmark::loadgen {
namespace {

absl::StatusOr<size_t> ParseBytes(absl::string_view text, absl::string_view spec) {
  uint64_t multiplier = 1;
  if (absl::ConsumeSuffix(&text, "k") || absl::ConsumeSuffix(&text, "K")) {
    multiplier = 1024;
  } else if (absl::ConsumeSuffix(&text, "m") || absl::ConsumeSuffix(&text, "M")) {
    multiplier = 1024 * 1024;
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value == 0 || value * multiplier > kMaxWorkloadBytes) {
    return absl::InvalidArgumentError(absl::StrCat("workload \"", spec,
                                                   "\": the size must be a byte count from 1 to ",
                                                   kMaxWorkloadBytes, " (suffix k or m allowed)"));
  }
  return static_cast<size_t>(value * multiplier);
}

// "1024x768" -> {1024, 768}.
absl::Status ParseImageSize(absl::string_view text, absl::string_view spec, WorkloadSpec& out) {
  const std::vector<absl::string_view> sides = absl::StrSplit(text, absl::ByAnyChar("xX"));
  int64_t width = 0;
  int64_t height = 0;
  if (sides.size() != 2 || !absl::SimpleAtoi(sides[0], &width) ||
      !absl::SimpleAtoi(sides[1], &height) || width < 1 || height < 1 || width > kMaxImageSide ||
      height > kMaxImageSide || width * height > kMaxImagePixels) {
    return absl::InvalidArgumentError(
        absl::StrCat("workload \"", spec, "\": the size must be WIDTHxHEIGHT, each side 1 to ",
                     kMaxImageSide, " and at most ", kMaxImagePixels, " pixels, e.g. 1024x1024"));
  }
  out.width = static_cast<int>(width);
  out.height = static_cast<int>(height);
  return absl::OkStatus();
}

absl::StatusOr<WorkloadSpec> ParseImageWorkload(absl::string_view kind,
                                                const std::vector<absl::string_view>& parts,
                                                absl::string_view spec) {
  if (parts.size() < 3 || parts.size() > 4) {
    return absl::InvalidArgumentError(absl::StrCat("workload \"", spec, "\": expected ", kind,
                                                   ":WIDTHxHEIGHT:FORMAT[:qQUALITY], e.g. ", kind,
                                                   ":1024x1024:jpeg"));
  }
  WorkloadSpec out;
  out.kind = kind == "image" ? WorkloadKind::kImage : WorkloadKind::kDetectImage;
  if (absl::Status size = ParseImageSize(parts[1], spec, out); !size.ok()) return size;
  const std::string format = absl::AsciiStrToLower(parts[2]);
  if (format == "jpeg" || format == "jpg") {
    out.image_format = ImageWorkloadFormat::kJpeg;
  } else if (format == "png") {
    out.image_format = ImageWorkloadFormat::kPng;
  } else if (format == "webp") {
    out.image_format = ImageWorkloadFormat::kWebp;
  } else if (format == "raw") {
    out.image_format = ImageWorkloadFormat::kRaw;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("workload \"", spec, "\": unknown format \"",
                                                   parts[2],
                                                   "\"; expected jpeg, png, webp or raw"));
  }
  if (parts.size() == 4) {
    absl::string_view quality = parts[3];
    const bool lossy = out.image_format == ImageWorkloadFormat::kJpeg ||
                       out.image_format == ImageWorkloadFormat::kWebp;
    if (!lossy) {
      return absl::InvalidArgumentError(absl::StrCat(
          "workload \"", spec, "\": a quality applies to jpeg and webp only, not ", format));
    }
    if (!absl::ConsumePrefix(&quality, "q") || !absl::SimpleAtoi(quality, &out.quality) ||
        out.quality < 1 || out.quality > 100) {
      return absl::InvalidArgumentError(absl::StrCat(
          "workload \"", spec, "\": the fourth field is the quality q1 to q100, e.g. q85"));
    }
  }
  out.name = absl::StrCat(kind, ":", out.width, "x", out.height, ":",
                          ImageWorkloadFormatName(out.image_format));
  if (out.quality > 0) absl::StrAppend(&out.name, ":q", out.quality);
  return out;
}

}  // namespace

absl::string_view ImageWorkloadFormatName(ImageWorkloadFormat format) {
  switch (format) {
    case ImageWorkloadFormat::kJpeg:
      return "jpeg";
    case ImageWorkloadFormat::kPng:
      return "png";
    case ImageWorkloadFormat::kWebp:
      return "webp";
    case ImageWorkloadFormat::kRaw:
      return "raw";
  }
  return "unknown";
}

absl::StatusOr<WorkloadSpec> ParseWorkload(absl::string_view spec) {
  spec = absl::StripAsciiWhitespace(spec);
  const std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
  WorkloadSpec out;
  const absl::string_view kind = parts[0];
  if (kind == "text" || kind == "detect") {
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("workload \"", spec, "\": expected ", kind, ":BYTES, e.g. ", kind, ":4096"));
    }
    auto bytes = ParseBytes(parts[1], spec);
    if (!bytes.ok()) return bytes.status();
    out.kind = kind == "text" ? WorkloadKind::kText : WorkloadKind::kDetect;
    out.bytes = *bytes;
    out.name = absl::StrCat(kind, ":", out.bytes);
    return out;
  }
  if (kind == "stream") {
    double tps = 0;
    absl::string_view rate = parts.size() >= 2 ? parts[1] : "";
    if (parts.size() < 2 || parts.size() > 3 || !absl::ConsumeSuffix(&rate, "tps") ||
        !absl::SimpleAtod(rate, &tps) || !(tps > 0) || tps > 100000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "workload \"", spec, "\": expected stream:RATEtps[:WORDSw], e.g. stream:50tps"));
    }
    out.kind = WorkloadKind::kStream;
    out.tokens_per_second = tps;
    if (parts.size() == 3) {
      absl::string_view words = parts[2];
      if (!absl::ConsumeSuffix(&words, "w") || !absl::SimpleAtoi(words, &out.stream_words) ||
          out.stream_words < 1 || out.stream_words > 1000000) {
        return absl::InvalidArgumentError(absl::StrCat(
            "workload \"", spec, "\": the third field is the words per stream, e.g. 400w"));
      }
    }
    out.name = absl::StrCat("stream:", rate, "tps");
    if (parts.size() == 3) absl::StrAppend(&out.name, ":", out.stream_words, "w");
    return out;
  }
  if (kind == "image" || kind == "detect-image") return ParseImageWorkload(kind, parts, spec);
  return absl::InvalidArgumentError(
      absl::StrCat("workload \"", spec, "\": unknown kind \"", kind,
                   "\"; expected text:BYTES, detect:BYTES, stream:RATEtps, image:WxH:FORMAT or "
                   "detect-image:WxH:FORMAT"));
}

absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(const std::vector<std::string>& flags) {
  std::vector<WorkloadSpec> out;
  for (const std::string& flag : flags) {
    for (absl::string_view spec : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
      absl::StatusOr<WorkloadSpec> parsed = ParseWorkload(spec);
      if (!parsed.ok()) return parsed.status();
      out.push_back(*std::move(parsed));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no workload given (--workload)");
  return out;
}

}  // namespace hallmark::loadgen
