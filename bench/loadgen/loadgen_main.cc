// hallmark-loadgen: drives hallmarkd (or any hallmark.v1.Hallmark server)
// with a fixed-rate or closed-loop load and reports latency percentiles,
// throughput, errors and decisions, optionally next to an in-process echo
// server so that the latency the sidecar adds is measured in the same run.
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/loadgen/echo_server.h"
#include "bench/loadgen/load_runner.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/sweep.h"
#include "bench/loadgen/workload.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "hallmarkd's gRPC address: host:port or unix:/path/to.sock");
ABSL_FLAG(std::string, label, "hallmarkd", "Name of the target in the output");
ABSL_FLAG(std::vector<std::string>, workload, {"text:4096"},
          "What to send; repeatable and/or comma-separated, mixed in one run: "
          "text:BYTES = MarkText with about BYTES of prose, different per request; "
          "detect:BYTES = Detect on a text of BYTES marked once at start-up; "
          "stream:RATEtps[:WORDSw] = MarkTextStream of a WORDS-word text (default 400), one word "
          "per message at RATE words/s per stream, --concurrency streams at once. Stream latency "
          "is per delta, from sending it to the next response received (see the usage text); "
          "image:WxH:FORMAT[:qQ] = MarkImage with one W x H photo (from --image_source) encoded "
          "once at start-up as FORMAT (jpeg, png, webp or raw; quality Q for jpeg and webp, "
          "default 90); detect-image:WxH:FORMAT[:qQ] = Detect on that image, marked once by the "
          "target at start-up");
ABSL_FLAG(std::string, image_source, HALLMARK_LOADGEN_IMAGE_DIR,
          "Image workloads: a photo file, or a directory whose RGB photos (.jpg, .png, .webp) are "
          "candidates (the one needing the least upscaling for the requested aspect ratio is "
          "used); centre-cropped to the aspect ratio and resized bilinearly");
ABSL_FLAG(std::string, space, "loadgen/bench", "The Space named in every request");
ABSL_FLAG(double, rate, 1000,
          "Unary calls per second over all unary workloads, open loop (fixed schedule, latency "
          "from the intended send time); 0 = closed loop with --concurrency callers");
ABSL_FLAG(int, concurrency, 8,
          "Closed loop (--rate 0): concurrent callers; stream workloads: concurrent streams");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "Measured window, e.g. 10s or 1m");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2),
          "Load sent before the measured window and left out of the statistics");
ABSL_FLAG(int, deadline_ms, 1000,
          "Per-call gRPC deadline in ms (streams: their length at the token rate plus this)");
ABSL_FLAG(int, budget_ms, 200,
          "Latency budget in ms: unary calls slower than this are counted as over_budget "
          "(hallmarkd's default budget is 200 ms)");
ABSL_FLAG(bool, baseline, false,
          "Also run the same schedule against an in-process echo server on 127.0.0.1 (no "
          "sidecar work) and report the added latency = target minus echo");
ABSL_FLAG(std::string, serve_echo, "",
          "Run no load: serve only the echo baseline on this address (host:port or unix:/path) "
          "until SIGINT or SIGTERM, e.g. to pin it to a core and measure the transport's own "
          "cost per call the way hallmarkd's is measured");
ABSL_FLAG(int, channels, 1, "gRPC channels (TCP connections) to spread the calls over");
ABSL_FLAG(std::string, json, "", "Also write the results as JSON to this file");
ABSL_FLAG(bool, sweep, false,
          "Sweep mode: run the workload open loop at --sweep_start req/s, then each rate times "
          "--sweep_factor up to --sweep_max, --duration per step, until a step fails: p99 above "
          "--sweep_p99_ms, errors, shedding (PASSED_THROUGH, BLOCKED, OVERLOAD) or more than 1% "
          "late sends (the generator, not the sidecar, is the limit). Reports the sustainable "
          "rate (the last step that passed) and that rate per --sidecar_cores");
ABSL_FLAG(double, sweep_start, 500, "Sweep: the first rate, req/s");
ABSL_FLAG(double, sweep_factor, 1.5, "Sweep: each step's rate is the last one times this");
ABSL_FLAG(double, sweep_max, 50000, "Sweep: the highest rate tried, req/s");
ABSL_FLAG(double, sweep_p99_ms, 5, "Sweep: a step fails when the target's p99 exceeds this (ms)");
ABSL_FLAG(int, sidecar_cores, 1,
          "Sweep: the cores hallmarkd could use (not measured), for the sustainable rate per "
          "core = sustainable rate / this");

namespace hallmark::loadgen {
namespace {

constexpr char kUsage[] =
    "the load generator for hallmarkd.\n"
    "\n"
    "Usage: hallmark-loadgen --target HOST:PORT|unix:/path [--workload SPEC]... [--rate N | "
    "--rate 0 --concurrency N]\n"
    "                        [--duration 10s] [--warmup 2s] [--deadline_ms 1000] [--baseline] "
    "[--json FILE]\n"
    "       hallmark-loadgen --sweep [--sweep_start 500] [--sweep_factor 1.5] [--sweep_max 50000]\n"
    "                        [--sweep_p99_ms 5] [--sidecar_cores 1] [--duration 10s] ...\n"
    "\n"
    "Examples:\n"
    "  hallmark-loadgen --target 127.0.0.1:50051 --workload text:4096 --rate 1000 --duration 20s "
    "--baseline\n"
    "  hallmark-loadgen --target unix:/run/hallmark.sock --rate 0 --concurrency 8\n"
    "  hallmark-loadgen --workload stream:50tps --concurrency 200 --duration 20s\n"
    "  hallmark-loadgen --workload text:4096 --sweep --duration 5s --baseline --json sweep.json\n"
    "  hallmark-loadgen --workload image:1024x1024:jpeg --rate 20 --duration 30s --baseline\n"
    "  hallmark-loadgen --workload text:4096 --workload image:1024x1024:jpeg --rate 200\n"
    "  hallmark-loadgen --serve_echo 127.0.0.1:0   (the echo baseline alone, until SIGTERM)\n"
    "\n"
    "Open loop (--rate > 0) sends call i at t0 + i/rate whatever the responses do and measures\n"
    "latency from that intended time, so stalls are not hidden (no coordinated omission); a\n"
    "call sent more than 1 ms behind schedule is counted as a late send. Closed loop (--rate 0)\n"
    "runs --concurrency callers that each send the next call when the last one returns.\n"
    "\n"
    "Streams: the sidecar holds deltas back until the text can carry the mark, so the time\n"
    "from a delta to the response that releases it measures the hold-back, not the sidecar.\n"
    "The per-delta latency reported is instead the time from sending each delta (its intended\n"
    "time) to the next response received, for deltas that get a response before the next\n"
    "delta is sent; the others are counted as held deltas (about one mark frame per stream).\n"
    "The hold-back itself is reported per stream as \"first text released\": from the first\n"
    "delta to the first response that carries text.\n"
    "server_micros for streams is the sidecar's time summed over the stream.\n"
    "\n"
    "Images: one photo per image workload is made at start-up (a real photo centre-cropped\n"
    "and resized bilinearly, see --image_source) and every call sends the same bytes. For\n"
    "MarkImage the sidecar's stage times (decode_micros, embed_micros, encode_micros) are\n"
    "reported under server_micros, with the mean PSNR and output size. The echo baseline\n"
    "returns the image bytes unchanged.\n"
    "\n"
    "Output: a table (latencies in ms: p50 p90 p99 p99.9 max mean, from the intended send\n"
    "time to the response; server_micros = the sidecar's own time from the responses; errors\n"
    "by gRPC code; decisions from the responses, DECISION_BLOCKED from trailing metadata;\n"
    "Detect outcomes as DETECT_VERIFIED / DETECT_UNVERIFIED / DETECT_NONE) and, with --json,\n"
    "the same as JSON.";

// absl flags keep only the last value of a repeated flag: collect every
// --workload occurrence from argv (before a "--") so the flag can repeat.
std::vector<std::string> RepeatedFlag(int argc, char** argv, absl::string_view name) {
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) continue;
    if (!absl::ConsumePrefix(&arg, name)) continue;
    if (absl::ConsumePrefix(&arg, "=")) {
      values.emplace_back(arg);
    } else if (arg.empty() && i + 1 < argc) {
      values.emplace_back(argv[++i]);
    }
  }
  return values;
}

int Fail(absl::string_view message, int code) {
  std::fprintf(stderr, "hallmark-loadgen: %s\n", std::string(message).c_str());
  return code;
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  return static_cast<bool>(out);
}

int RunSweepMode(const RunConfig& config) {
  SweepConfig sweep;
  sweep.start_rps = absl::GetFlag(FLAGS_sweep_start);
  sweep.factor = absl::GetFlag(FLAGS_sweep_factor);
  sweep.max_rps = absl::GetFlag(FLAGS_sweep_max);
  sweep.p99_threshold = absl::Microseconds(std::llround(absl::GetFlag(FLAGS_sweep_p99_ms) * 1000));
  sweep.sidecar_cores = absl::GetFlag(FLAGS_sidecar_cores);
  if (!(sweep.start_rps > 0) || sweep.start_rps > 1e7) {
    return Fail("--sweep_start must be above 0 and at most 1e7", 2);
  }
  if (!(sweep.factor > 1) || sweep.factor > 100) return Fail("--sweep_factor must be 1 to 100", 2);
  if (!(sweep.max_rps >= sweep.start_rps) || sweep.max_rps > 1e7) {
    return Fail("--sweep_max must be --sweep_start to 1e7", 2);
  }
  if (!(absl::GetFlag(FLAGS_sweep_p99_ms) > 0)) return Fail("--sweep_p99_ms must be positive", 2);
  if (sweep.sidecar_cores < 1 || sweep.sidecar_cores > 4096) {
    return Fail("--sidecar_cores must be 1 to 4096", 2);
  }
  bool unary = false;
  for (const WorkloadSpec& w : config.workloads) unary = unary || w.unary();
  if (!unary) {
    return Fail(
        "--sweep raises the unary rate: it needs a text:, detect:, image: or detect-image: "
        "workload",
        2);
  }

  RunContext context;
  context.target = absl::GetFlag(FLAGS_target);
  context.config = config;
  context.config.rate = sweep.start_rps;
  context.cores = static_cast<int>(std::thread::hardware_concurrency());
  context.loadavg_before = ReadLoadAverage();

  std::unique_ptr<EchoServer> echo;
  if (absl::GetFlag(FLAGS_baseline)) {
    absl::StatusOr<std::unique_ptr<EchoServer>> started = EchoServer::Start();
    if (!started.ok()) return Fail(started.status().message(), 1);
    echo = *std::move(started);
  }
  std::fputs(FormatSweepHeader(context, sweep, echo != nullptr).c_str(), stdout);
  std::fflush(stdout);
  absl::StatusOr<SweepResult> result =
      RunSweep(config, sweep, context.target, absl::GetFlag(FLAGS_label),
               echo != nullptr ? echo->address() : std::string(), [](const SweepStep& step) {
                 std::fputs(FormatSweepRow(step).c_str(), stdout);
                 std::fflush(stdout);
               });
  if (!result.ok()) return Fail(result.status().message(), 1);
  context.loadavg_after = ReadLoadAverage();
  std::fputs(FormatSweepSummary(context, sweep, *result).c_str(), stdout);
  std::fflush(stdout);
  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty() && !WriteFile(json_path, FormatSweepJson(context, sweep, *result))) {
    return Fail(absl::StrCat("cannot write ", json_path), 1);
  }
  return 0;
}

// --serve_echo: the echo server alone, until a signal.
int ServeEcho(const std::string& address) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked before gRPC starts its threads, so they inherit the mask and
  // the signal is left for sigwait below.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<EchoServer>> echo = EchoServer::Start(address);
  if (!echo.ok()) return Fail(echo.status().message(), 1);
  std::printf("echo ready on %s\n", (*echo)->address().c_str());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return 0;
}

int Run(int argc, char** argv) {
  if (const std::string echo = absl::GetFlag(FLAGS_serve_echo); !echo.empty()) {
    return ServeEcho(echo);
  }
  std::vector<std::string> workload_flags = RepeatedFlag(argc, argv, "workload");
  if (workload_flags.empty()) workload_flags = absl::GetFlag(FLAGS_workload);
  absl::StatusOr<std::vector<WorkloadSpec>> workloads = ParseWorkloads(workload_flags);
  if (!workloads.ok()) return Fail(workloads.status().message(), 2);

  RunConfig config;
  config.workloads = *std::move(workloads);
  config.rate = absl::GetFlag(FLAGS_rate);
  config.concurrency = absl::GetFlag(FLAGS_concurrency);
  config.duration = absl::GetFlag(FLAGS_duration);
  config.warmup = absl::GetFlag(FLAGS_warmup);
  config.deadline = absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms));
  config.budget = absl::Milliseconds(absl::GetFlag(FLAGS_budget_ms));
  config.space = absl::GetFlag(FLAGS_space);
  config.channels = absl::GetFlag(FLAGS_channels);
  config.image_source = absl::GetFlag(FLAGS_image_source);
  if (!(config.rate >= 0) || config.rate > 1e7) return Fail("--rate must be 0 to 1e7", 2);
  if (config.concurrency < 1 || config.concurrency > 100000) {
    return Fail("--concurrency must be 1 to 100000", 2);
  }
  if (config.duration <= absl::ZeroDuration()) return Fail("--duration must be positive", 2);
  if (config.warmup < absl::ZeroDuration()) return Fail("--warmup must not be negative", 2);
  if (config.deadline <= absl::ZeroDuration()) return Fail("--deadline_ms must be positive", 2);
  if (config.budget <= absl::ZeroDuration()) return Fail("--budget_ms must be positive", 2);
  if (config.channels < 1 || config.channels > 256) return Fail("--channels must be 1 to 256", 2);
  // Once, for the target, the echo baseline and every sweep step alike.
  if (absl::Status made = MakeWorkloadImages(&config); !made.ok()) {
    return Fail(made.message(), 2);
  }

  if (absl::GetFlag(FLAGS_sweep)) return RunSweepMode(config);

  RunContext context;
  context.target = absl::GetFlag(FLAGS_target);
  context.config = config;
  context.cores = static_cast<int>(std::thread::hardware_concurrency());
  context.loadavg_before = ReadLoadAverage();

  absl::StatusOr<RunResult> run = RunLoad(config, context.target, absl::GetFlag(FLAGS_label));
  if (!run.ok()) return Fail(run.status().message(), 1);

  std::unique_ptr<RunResult> baseline;
  if (absl::GetFlag(FLAGS_baseline)) {
    absl::StatusOr<std::unique_ptr<EchoServer>> echo = EchoServer::Start();
    if (!echo.ok()) return Fail(echo.status().message(), 1);
    absl::StatusOr<RunResult> echo_run = RunLoad(config, (*echo)->address(), "echo");
    if (!echo_run.ok()) return Fail(echo_run.status().message(), 1);
    baseline = std::make_unique<RunResult>(*std::move(echo_run));
  }
  context.loadavg_after = ReadLoadAverage();

  std::fputs(FormatTable(context, *run, baseline.get()).c_str(), stdout);
  std::fflush(stdout);
  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty() && !WriteFile(json_path, FormatJson(context, *run, baseline.get()))) {
    return Fail(absl::StrCat("cannot write ", json_path), 1);
  }
  return 0;
}

}  // namespace
}  // namespace hallmark::loadgen

int main(int argc, char** argv) {
  // --help lists this file's flags (absl matches files named after the
  // program, and "hallmark-loadgen" has none).
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view path) {
    return absl::EndsWith(path, "bench/loadgen/loadgen_main.cc");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(hallmark::loadgen::kUsage);
  absl::ParseCommandLine(argc, argv);
  return hallmark::loadgen::Run(argc, argv);
}
