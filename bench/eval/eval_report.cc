#include "bench/eval/eval_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/eval/image_attacks.h"
#include "bench/eval/json_writer.h"

namespace hallmark::eval {
namespace {

const Attack* FindAttack(const std::string& name) {
  for (const Attack& a : StandardAttacks()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

double Megapixels(const ImageResult& r) { return static_cast<double>(r.width) * r.height / 1e6; }

std::string Fixed(double v, int digits) {
  if (std::isnan(v)) return "–";
  if (std::isinf(v)) return "∞";
  return absl::StrFormat("%.*f", digits, v);
}

// A thousands-separated count: 10,032.
std::string Count(int64_t v) {
  const std::string digits = absl::StrCat(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

void StatJson(JsonWriter& j, const char* key, const Stat& s) {
  j.Key(key).BeginObject();
  j.Key("count").Int(s.count).Key("mean").Double(s.mean).Key("min").Double(s.min);
  j.Key("p99").Double(s.p99).Key("max").Double(s.max);
  j.EndObject();
}

}  // namespace

Stat SummariseSamples(std::vector<double> samples) {
  Stat s;
  // Infinite PSNRs (unchanged images) would swamp the mean; they are
  // counted but left out of the moments.
  samples.erase(
      std::remove_if(samples.begin(), samples.end(), [](double v) { return !std::isfinite(v); }),
      samples.end());
  s.count = static_cast<int>(samples.size());
  if (samples.empty()) {
    s.mean = s.min = s.p99 = s.max = std::nan("");
    return s;
  }
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean = sum / samples.size();
  s.min = samples.front();
  s.max = samples.back();
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * samples.size()));
  s.p99 = samples[std::max<size_t>(rank, 1) - 1];
  return s;
}

ReportSummary Summarise(const EvalResult& result) {
  ReportSummary out;
  std::vector<double> psnr, scheme_psnr, ssim, mark_mp, detect_mp, found_mp, missed_mp;
  std::map<std::pair<int64_t, std::pair<int, int>>,
           std::pair<std::vector<double>, std::vector<double>>>
      by_size;
  std::map<std::pair<int64_t, std::pair<int, int>>, int> images_by_size;
  for (const ImageResult& r : result.images) {
    if (!r.skipped.empty()) {
      ++out.skipped;
      continue;
    }
    ++out.images;
    psnr.push_back(r.psnr_db);
    scheme_psnr.push_back(r.scheme_psnr_db);
    ssim.push_back(r.ssim);
    const auto size_key =
        std::make_pair(static_cast<int64_t>(r.width) * r.height, std::make_pair(r.width, r.height));
    ++images_by_size[size_key];
    for (double ms : r.mark_ms) {
      mark_mp.push_back(ms / Megapixels(r));
      by_size[size_key].first.push_back(ms);
    }
    for (double ms : r.detect_ms) {
      detect_mp.push_back(ms / Megapixels(r));
      (r.float_recovered ? found_mp : missed_mp).push_back(ms / Megapixels(r));
      by_size[size_key].second.push_back(ms);
    }
  }
  out.psnr_db = SummariseSamples(psnr);
  out.scheme_psnr_db = SummariseSamples(scheme_psnr);
  out.ssim = SummariseSamples(ssim);
  out.mark_ms_per_mp = SummariseSamples(mark_mp);
  out.detect_ms_per_mp = SummariseSamples(detect_mp);
  out.detect_ms_per_mp_found = SummariseSamples(found_mp);
  out.detect_ms_per_mp_missed = SummariseSamples(missed_mp);
  for (const auto& [key, samples] : by_size) {
    SizeTiming t;
    t.width = key.second.first;
    t.height = key.second.second;
    t.images = images_by_size[key];
    t.mark_ms = SummariseSamples(samples.first);
    t.detect_ms = SummariseSamples(samples.second);
    out.sizes.push_back(t);
  }

  for (const std::string& name : result.attack_names) {
    AttackSummary a;
    a.attack = name;
    if (const Attack* def = FindAttack(name)) a.description = def->description;
    double bits = 0;
    double ms = 0;
    a.min_bit_accuracy_pct = 100;
    for (const ImageResult& r : result.images) {
      for (const AttackOutcome& o : r.attacks) {
        if (o.attack != name) continue;
        if (!o.error.empty()) {
          ++a.errors;
          continue;
        }
        ++a.n;
        a.recovered += o.recovered;
        bits += o.bit_accuracy;
        ms += o.detect_ms;
        a.max_detect_ms = std::max(a.max_detect_ms, o.detect_ms);
        a.min_bit_accuracy_pct = std::min(a.min_bit_accuracy_pct, 100 * o.bit_accuracy);
      }
    }
    if (a.n > 0) {
      a.exact_recovery_pct = 100.0 * a.recovered / a.n;
      a.mean_bit_accuracy_pct = 100.0 * bits / a.n;
      a.mean_detect_ms = ms / a.n;
    } else {
      a.min_bit_accuracy_pct = 0;
    }
    out.attacks.push_back(a);
  }
  return out;
}

std::string RenderMarkdown(const EvalResult& result, const ReportSummary& s) {
  std::string md;
  absl::StrAppendFormat(&md, "## hallmark-eval: %s\n\n", result.scheme);
  absl::StrAppendFormat(&md,
                        "%d images evaluated (%d skipped), seed %d, %d attacks. Exact recovery: "
                        "verified under the test key with exactly the sealed payload. Bit "
                        "accuracy: the 88 decoded payload bits against the sealed ones. Detect "
                        "ms: the Detect call alone on the attacked image (YCbCr in).\n\n",
                        s.images, s.skipped, result.options.seed, s.attacks.size());
  md +=
      "| attack | exact recovery % | mean bit accuracy % | min bit accuracy % | n | "
      "detect ms (mean) |\n";
  md += "|---|---:|---:|---:|---:|---:|\n";
  for (const AttackSummary& a : s.attacks) {
    absl::StrAppendFormat(
        &md, "| %s | %s | %s | %s | %d%s | %s |\n", a.attack, Fixed(a.exact_recovery_pct, 1),
        Fixed(a.mean_bit_accuracy_pct, 2), Fixed(a.min_bit_accuracy_pct, 1), a.n,
        a.errors > 0 ? absl::StrCat(" (", a.errors, " errors)") : "", Fixed(a.mean_detect_ms, 2));
  }

  md += "\n### Invisibility\n\n";
  md += "| metric | mean | min | max |\n|---|---:|---:|---:|\n";
  absl::StrAppendFormat(&md,
                        "| PSNR dB, marked 8-bit output vs decoded original (all colour "
                        "channels) | %s | %s | %s |\n",
                        Fixed(s.psnr_db.mean, 2), Fixed(s.psnr_db.min, 2), Fixed(s.psnr_db.max, 2));
  absl::StrAppendFormat(&md,
                        "| PSNR dB reported by the scheme (float luminance) | %s | %s | %s |\n",
                        Fixed(s.scheme_psnr_db.mean, 2), Fixed(s.scheme_psnr_db.min, 2),
                        Fixed(s.scheme_psnr_db.max, 2));
  absl::StrAppendFormat(&md, "| SSIM, BT.601 luminance, Gaussian 11×11 σ=1.5 | %s | %s | %s |\n",
                        Fixed(s.ssim.mean, 4), Fixed(s.ssim.min, 4), Fixed(s.ssim.max, 4));

  md += "\n### Core timings (one thread; YCbCr pixels in, pixels out)\n\n";
  absl::StrAppendFormat(&md,
                        "Timed calls per image: %d. Mark: in place on a fresh copy. Detect: the "
                        "clean marked image under the test key.\n\n",
                        result.options.timing_repeats);
  md += "| | mean | p99 | max |\n|---|---:|---:|---:|\n";
  absl::StrAppendFormat(&md, "| Mark, ms per megapixel | %s | %s | %s |\n",
                        Fixed(s.mark_ms_per_mp.mean, 2), Fixed(s.mark_ms_per_mp.p99, 2),
                        Fixed(s.mark_ms_per_mp.max, 2));
  absl::StrAppendFormat(&md, "| Detect, ms per megapixel | %s | %s | %s |\n",
                        Fixed(s.detect_ms_per_mp.mean, 2), Fixed(s.detect_ms_per_mp.p99, 2),
                        Fixed(s.detect_ms_per_mp.max, 2));
  absl::StrAppendFormat(&md, "| … of which mark found (%d calls) | %s | %s | %s |\n",
                        s.detect_ms_per_mp_found.count, Fixed(s.detect_ms_per_mp_found.mean, 2),
                        Fixed(s.detect_ms_per_mp_found.p99, 2),
                        Fixed(s.detect_ms_per_mp_found.max, 2));
  absl::StrAppendFormat(&md, "| … of which mark not found (%d calls) | %s | %s | %s |\n\n",
                        s.detect_ms_per_mp_missed.count, Fixed(s.detect_ms_per_mp_missed.mean, 2),
                        Fixed(s.detect_ms_per_mp_missed.p99, 2),
                        Fixed(s.detect_ms_per_mp_missed.max, 2));
  md +=
      "Per megapixel, small images are dominated by the fixed cost of the grid work; the "
      "per-size table gives the time per call.\n\n";
  md += "| size | images | Mark ms mean | Mark ms p99 | Detect ms mean | Detect ms p99 |\n";
  md += "|---|---:|---:|---:|---:|---:|\n";
  for (const SizeTiming& t : s.sizes) {
    absl::StrAppendFormat(&md, "| %d×%d | %d | %s | %s | %s | %s |\n", t.width, t.height, t.images,
                          Fixed(t.mark_ms.mean, 2), Fixed(t.mark_ms.p99, 2),
                          Fixed(t.detect_ms.mean, 2), Fixed(t.detect_ms.p99, 2));
  }

  const FalsePositiveStats& fp = result.fp;
  md += "\n### False positives\n\n";
  absl::StrAppendFormat(
      &md,
      "Each trial is one Detect call with one key the image was not marked with. \"Detected\" = "
      "the scheme found a consistent codeword whose MAC did not match (not a verification).\n\n");
  md += "| images | trials | verified | detected, not verified | mean detect ms |\n";
  md += "|---|---:|---:|---:|---:|\n";
  absl::StrAppendFormat(
      &md, "| unmarked: %s variants (%s) × %d keys | %s | %d | %d | %s |\n",
      Count(fp.unmarked_variants),
      result.options.fp_attacked ? "originals and every attack on them" : "originals", fp.keys,
      Count(fp.unmarked_trials), fp.unmarked_verified, fp.unmarked_detected,
      Fixed(fp.unmarked_mean_detect_ms, 2));
  absl::StrAppendFormat(&md, "| marked, wrong keys: %d images × %d keys | %s | %d | %d | |\n",
                        s.images, fp.keys, Count(fp.marked_trials), fp.marked_verified,
                        fp.marked_detected);
  int wrong_payload = 0;
  for (const ImageResult& r : result.images) {
    for (const AttackOutcome& o : r.attacks) wrong_payload += o.wrong_payload;
  }
  absl::StrAppendFormat(&md,
                        "\nHighest codeword score on an unmarked image: %s. Marked images "
                        "verified with a wrong payload or key after an attack: %d.\n",
                        Fixed(fp.unmarked_max_codeword_score, 3), wrong_payload);
  for (const std::string& line : fp.incidents)
    absl::StrAppend(&md, "- FALSE POSITIVE: ", line, "\n");

  md += "\n### Per image (✓ = exact recovery, else bit accuracy %)\n\n";
  md +=
      "\"clipped %\": colour samples of the marked output pushed outside [0, 255] and "
      "clipped when saved. \"Y float\": Detect on the marked luminance before the conversion "
      "back to RGB, clipping and rounding (not an attack: a diagnostic).\n\n";
  md += "| image | size | PSNR | SSIM | clipped % | Y float |";
  for (const std::string& a : result.attack_names) absl::StrAppend(&md, " ", a, " |");
  md += "\n|---|---|---:|---:|---:|---:|";
  for (size_t i = 0; i < result.attack_names.size(); ++i) md += "---:|";
  md += "\n";
  for (const ImageResult& r : result.images) {
    if (!r.skipped.empty()) continue;
    absl::StrAppendFormat(&md, "| %s | %d×%d | %s | %s | %s |", r.name, r.width, r.height,
                          Fixed(r.psnr_db, 1), Fixed(r.ssim, 4), Fixed(r.clipped_pct, 2));
    if (r.float_recovered) {
      md += " ✓ |";
    } else {
      absl::StrAppendFormat(&md, " %.0f |", 100 * r.float_bit_accuracy);
    }
    for (const AttackOutcome& o : r.attacks) {
      if (!o.error.empty()) {
        md += " error |";
      } else if (o.recovered) {
        md += " ✓ |";
      } else {
        absl::StrAppendFormat(&md, " %.0f |", 100 * o.bit_accuracy);
      }
    }
    md += "\n";
  }
  if (s.skipped > 0) {
    md += "\nSkipped:\n";
    for (const ImageResult& r : result.images) {
      if (!r.skipped.empty()) absl::StrAppend(&md, "- ", r.name, ": ", r.skipped, "\n");
    }
  }

  md += "\n### Attacks\n\n";
  for (const AttackSummary& a : s.attacks) {
    absl::StrAppend(&md, "- `", a.attack, "`: ", a.description, "\n");
  }
  md += "\nEvery attacked image is rounded to 8 bits before detection, as if saved losslessly.\n";
  absl::StrAppendFormat(&md, "\nRun time %.1f s.\n", result.seconds);
  return md;
}

std::string RenderJson(const EvalResult& result, const ReportSummary& s) {
  JsonWriter j;
  j.BeginObject();
  j.Key("scheme").String(result.scheme);
  j.Key("min_dimension").Int(result.min_dimension);
  j.Key("seed").Int(static_cast<int64_t>(result.options.seed));
  j.Key("timing_repeats").Int(result.options.timing_repeats);
  j.Key("seconds").Double(result.seconds);
  j.Key("images_evaluated").Int(s.images);
  j.Key("images_skipped").Int(s.skipped);

  j.Key("attacks").BeginArray();
  for (const AttackSummary& a : s.attacks) {
    j.BeginObject();
    j.Key("attack").String(a.attack).Key("description").String(a.description);
    j.Key("n").Int(a.n).Key("recovered").Int(a.recovered).Key("errors").Int(a.errors);
    j.Key("exact_recovery_pct").Double(a.exact_recovery_pct);
    j.Key("mean_bit_accuracy_pct").Double(a.mean_bit_accuracy_pct);
    j.Key("min_bit_accuracy_pct").Double(a.min_bit_accuracy_pct);
    j.Key("mean_detect_ms").Double(a.mean_detect_ms);
    j.Key("max_detect_ms").Double(a.max_detect_ms);
    j.EndObject();
  }
  j.EndArray();

  j.Key("summary").BeginObject();
  StatJson(j, "psnr_db", s.psnr_db);
  StatJson(j, "scheme_psnr_db", s.scheme_psnr_db);
  StatJson(j, "ssim_luminance", s.ssim);
  StatJson(j, "mark_ms_per_megapixel", s.mark_ms_per_mp);
  StatJson(j, "detect_ms_per_megapixel", s.detect_ms_per_mp);
  StatJson(j, "detect_ms_per_megapixel_found", s.detect_ms_per_mp_found);
  StatJson(j, "detect_ms_per_megapixel_missed", s.detect_ms_per_mp_missed);
  j.Key("by_size").BeginArray();
  for (const SizeTiming& t : s.sizes) {
    j.BeginObject();
    j.Key("width").Int(t.width).Key("height").Int(t.height).Key("images").Int(t.images);
    StatJson(j, "mark_ms", t.mark_ms);
    StatJson(j, "detect_ms", t.detect_ms);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();

  const FalsePositiveStats& fp = result.fp;
  j.Key("false_positives").BeginObject();
  j.Key("keys_per_variant").Int(fp.keys);
  j.Key("attacked_variants").Bool(result.options.fp_attacked);
  j.Key("unmarked_variants").Int(fp.unmarked_variants);
  j.Key("unmarked_trials").Int(fp.unmarked_trials);
  j.Key("unmarked_verified").Int(fp.unmarked_verified);
  j.Key("unmarked_detected").Int(fp.unmarked_detected);
  j.Key("unmarked_max_codeword_score").Double(fp.unmarked_max_codeword_score);
  j.Key("unmarked_mean_detect_ms").Double(fp.unmarked_mean_detect_ms);
  j.Key("marked_wrong_key_trials").Int(fp.marked_trials);
  j.Key("marked_wrong_key_verified").Int(fp.marked_verified);
  j.Key("marked_wrong_key_detected").Int(fp.marked_detected);
  j.Key("incidents").BeginArray();
  for (const std::string& line : fp.incidents) j.String(line);
  j.EndArray();
  j.EndObject();

  j.Key("images").BeginArray();
  for (const ImageResult& r : result.images) {
    j.BeginObject();
    j.Key("name").String(r.name).Key("path").String(r.path);
    j.Key("width").Int(r.width).Key("height").Int(r.height);
    j.Key("color_model").String(r.color_model).Key("source_format").String(r.source_format);
    if (!r.skipped.empty()) {
      j.Key("skipped").String(r.skipped);
      j.EndObject();
      continue;
    }
    j.Key("psnr_db").Double(r.psnr_db).Key("scheme_psnr_db").Double(r.scheme_psnr_db);
    j.Key("ssim_luminance").Double(r.ssim);
    j.Key("clipped_pct").Double(r.clipped_pct);
    j.Key("float_recovered").Bool(r.float_recovered);
    j.Key("float_bit_accuracy").Double(r.float_bit_accuracy);
    j.Key("mark_ms").BeginArray();
    for (double v : r.mark_ms) j.Double(v);
    j.EndArray();
    j.Key("detect_ms").BeginArray();
    for (double v : r.detect_ms) j.Double(v);
    j.EndArray();
    j.Key("attacks").BeginArray();
    for (const AttackOutcome& o : r.attacks) {
      j.BeginObject();
      j.Key("attack").String(o.attack);
      if (!o.error.empty()) {
        j.Key("error").String(o.error);
        j.EndObject();
        continue;
      }
      j.Key("width").Int(o.width).Key("height").Int(o.height);
      j.Key("recovered").Bool(o.recovered).Key("verified").Bool(o.verified);
      j.Key("detected").Bool(o.detected).Key("wrong_payload").Bool(o.wrong_payload);
      j.Key("bit_accuracy").Double(o.bit_accuracy);
      j.Key("geometry").String(o.geometry).Key("geometries_tried").Int(o.geometries_tried);
      j.Key("codeword_score").Double(o.codeword_score);
      j.Key("detect_ms").Double(o.detect_ms);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str();
}

}  // namespace hallmark::eval
