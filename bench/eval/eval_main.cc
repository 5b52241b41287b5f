// hallmark-eval: the image watermark's evaluation tool (issue 3). Marks a
// set of images, attacks each marked image, detects, and reports exact
// payload recovery and bit accuracy per attack, PSNR / SSIM, core timings
// and false verifications on unmarked images, as Markdown and JSON.
//
// Reproducible: the test key, the payloads, the false-positive keys and the
// noise all derive from --seed (and each image's name).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/eval/eval_report.h"
#include "bench/eval/eval_runner.h"
#include "bench/eval/image_attacks.h"
#include "watermark/image/canonical_grid/canonical_grid_scheme.h"

namespace hallmark::eval {
namespace {

namespace fs = std::filesystem;

constexpr char kUsage[] =
    R"(hallmark-eval: robustness, invisibility and speed of an image watermark.

Usage: hallmark-eval --images PATH [--images PATH]... [options]

  --images PATH       an image file (PNG, JPEG, WebP) or a directory whose
                      .png/.jpg/.jpeg/.webp files are all used (not recursive);
                      repeatable. Files that do not decode or are smaller than
                      the scheme's minimum are listed as skipped.
  --keys N            false-positive keys tried on each unmarked image variant;
                      0 (default) = enough for --min_fp_trials trials
  --min_fp_trials N   with --keys 0: at least this many trials (10000)
  --fp_originals_only false positives on the unmarked originals only (default:
                      the originals and every attack applied to them)
  --attacks A,B,...   run only these attacks (default: all; see below)
  --seed N            seed of the key, payloads, FP keys and noise (1)
  --repeat N          timed Mark and Detect calls per image (5)
  --scheme NAME       the scheme: canonical-grid (default)
  --no_geometry_search  canonical-grid: identity geometry only
  --json FILE         write the full results as JSON
  --markdown FILE     write the Markdown report (always printed to stdout too)
  --quiet             no progress lines on stderr

Attacks:
)";

struct Flags {
  std::vector<std::string> images;
  int keys = 0;
  int64_t min_fp_trials = 10000;
  bool fp_originals_only = false;
  std::string attacks;
  uint64_t seed = 1;
  int repeat = 5;
  std::string scheme = "canonical-grid";
  bool geometry_search = true;
  std::string json;
  std::string markdown;
  bool quiet = false;
};

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "hallmark-eval: " << message << "\n(see --help)\n";
  std::exit(2);
}

void PrintUsage() {
  std::cout << kUsage;
  for (const Attack& a : StandardAttacks()) {
    std::cout << "  " << a.name << std::string(a.name.size() < 14 ? 14 - a.name.size() : 1, ' ')
              << a.description << "\n";
  }
}

template <typename T>
T ParseNumber(absl::string_view flag, absl::string_view value) {
  T out;
  if (!absl::SimpleAtoi(value, &out)) Fail(absl::StrCat(flag, ": not a number: ", value));
  return out;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); absl::StartsWith(arg, "--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) Fail(absl::StrCat(arg, " needs a value"));
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (arg == "--images") {
      f.images.push_back(next());
    } else if (arg == "--keys") {
      f.keys = ParseNumber<int>(arg, next());
    } else if (arg == "--min_fp_trials") {
      f.min_fp_trials = ParseNumber<int64_t>(arg, next());
    } else if (arg == "--fp_originals_only") {
      f.fp_originals_only = true;
    } else if (arg == "--attacks") {
      f.attacks = next();
    } else if (arg == "--seed") {
      f.seed = ParseNumber<uint64_t>(arg, next());
    } else if (arg == "--repeat") {
      f.repeat = ParseNumber<int>(arg, next());
    } else if (arg == "--scheme") {
      f.scheme = next();
    } else if (arg == "--no_geometry_search") {
      f.geometry_search = false;
    } else if (arg == "--json") {
      f.json = next();
    } else if (arg == "--markdown") {
      f.markdown = next();
    } else if (arg == "--quiet") {
      f.quiet = true;
    } else {
      Fail(absl::StrCat("unknown argument ", arg));
    }
  }
  if (f.images.empty()) Fail("--images is required");
  if (f.keys < 0 || f.repeat < 1 || f.min_fp_trials < 0) Fail("negative count");
  return f;
}

bool IsImageFile(const fs::path& p) {
  const std::string ext = absl::AsciiStrToLower(p.extension().string());
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp";
}

// Expands directories, keeps files as given; names are the file names,
// prefixed with the parent directory's name when two would collide.
std::vector<InputImage> CollectImages(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> in_dir;
      for (const fs::directory_entry& e : fs::directory_iterator(p, ec)) {
        if (e.is_regular_file() && IsImageFile(e.path())) in_dir.push_back(e.path());
      }
      if (ec) Fail(absl::StrCat("cannot list ", p, ": ", ec.message()));
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      Fail(absl::StrCat("no such file or directory: ", p));
    }
  }
  std::map<std::string, int> uses;
  for (const fs::path& f : files) ++uses[f.filename().string()];
  std::vector<InputImage> out;
  for (const fs::path& f : files) {
    std::string name = f.filename().string();
    if (uses[name] > 1) name = (f.parent_path().filename() / f.filename()).string();
    out.push_back({name, f.string()});
  }
  return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "hallmark-eval: cannot write " << path << "\n";
    return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);

  std::unique_ptr<image::ImageScheme> scheme;
  if (flags.scheme == image::CanonicalGridScheme::kName) {
    image::CanonicalGridOptions options;
    options.geometry_search = flags.geometry_search;
    scheme = std::make_unique<image::CanonicalGridScheme>(options);
  } else {
    Fail(absl::StrCat("unknown scheme ", flags.scheme));
  }

  absl::StatusOr<std::vector<const Attack*>> attacks = SelectAttacks(flags.attacks);
  if (!attacks.ok()) Fail(std::string(attacks.status().message()));

  EvalOptions options;
  options.seed = flags.seed;
  options.fp_keys = flags.keys;
  options.min_fp_trials = flags.min_fp_trials;
  options.fp_attacked = !flags.fp_originals_only;
  options.timing_repeats = flags.repeat;
  options.attacks = *attacks;

  const std::vector<InputImage> images = CollectImages(flags.images);
  absl::StatusOr<EvalResult> result =
      RunEvaluation(*scheme, images, options, flags.quiet ? nullptr : &std::cerr);
  if (!result.ok()) {
    std::cerr << "hallmark-eval: " << result.status().message() << "\n";
    return 1;
  }
  const ReportSummary summary = Summarise(*result);
  const std::string markdown = RenderMarkdown(*result, summary);
  std::cout << markdown;
  bool ok = true;
  if (!flags.markdown.empty()) ok &= WriteFile(flags.markdown, markdown);
  if (!flags.json.empty()) ok &= WriteFile(flags.json, RenderJson(*result, summary));
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace hallmark::eval

int main(int argc, char** argv) { return hallmark::eval::Main(argc, argv); }
