#include "bench/loadgen/report.h"

#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/hallmark/json_line.h"

namespace hallmark::loadgen {
namespace {

struct Quantile {
  const char* json_key;
  const char* column;
  double q;
};
constexpr Quantile kQuantiles[] = {
    {"p50", "p50", 0.5}, {"p90", "p90", 0.9}, {"p99", "p99", 0.99}, {"p999", "p99.9", 0.999}};

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// ---- JSON ------------------------------------------------------------------

// Builds one JSON object, member by member, pretty-printed at `indent`.
class JsonObject {
 public:
  explicit JsonObject(int indent = 0) : indent_(indent) {}

  JsonObject& Raw(absl::string_view key, absl::string_view json) {
    members_.push_back(absl::StrCat(cli::JsonQuote(key), ": ", json));
    return *this;
  }
  JsonObject& Int(absl::string_view key, int64_t value) { return Raw(key, absl::StrCat(value)); }
  JsonObject& Number(absl::string_view key, double value, int decimals) {
    return Raw(key, absl::StrFormat("%.*f", decimals, value));
  }
  JsonObject& String(absl::string_view key, absl::string_view value) {
    return Raw(key, cli::JsonQuote(value));
  }
  JsonObject& Bool(absl::string_view key, bool value) { return Raw(key, value ? "true" : "false"); }
  int child_indent() const { return indent_ + 2; }

  std::string Build() const {
    if (members_.empty()) return "{}";
    const std::string pad(static_cast<size_t>(indent_ + 2), ' ');
    return absl::StrCat("{\n", pad, absl::StrJoin(members_, absl::StrCat(",\n", pad)), "\n",
                        std::string(static_cast<size_t>(indent_), ' '), "}");
  }

 private:
  int indent_;
  std::vector<std::string> members_;
};

std::string CountsJson(const std::map<std::string, int64_t>& counts, int indent) {
  JsonObject o(indent);
  for (const auto& [name, n] : counts) o.Int(name, n);
  return o.Build();
}

std::string LatencyJson(const LatencyHistogram& h, int indent) {
  JsonObject o(indent);
  o.Int("count", h.count());
  for (const Quantile& q : kQuantiles) o.Number(q.json_key, Ms(h.Percentile(q.q)), 3);
  o.Number("max", Ms(h.max()), 3);
  o.Number("mean", Ms(h.mean()), 3);
  return o.Build();
}

// Image workloads: what was sent, and what the MarkImage responses reported
// (stage times, PSNR, output size).
std::string ImageJson(const WorkloadResult& r, int indent) {
  JsonObject o(indent);
  if (!r.payload.empty()) o.String("source", r.payload);
  if (r.request_bytes > 0) o.Int("request_bytes", r.request_bytes);
  const ImageStats& image = r.image;
  o.Int("responses", image.responses);
  const double responses = image.responses > 0 ? static_cast<double>(image.responses) : 1;
  o.Number("response_bytes_mean", image.response_bytes_sum / responses, 0);
  o.Number("psnr_db_mean",
           image.psnr_count > 0 ? image.psnr_db_sum / static_cast<double>(image.psnr_count) : 0, 2);
  JsonObject means(o.child_indent());
  means.Number("decode", absl::ToDoubleMicroseconds(image.decode.mean()), 0);
  means.Number("embed", absl::ToDoubleMicroseconds(image.embed.mean()), 0);
  means.Number("encode", absl::ToDoubleMicroseconds(image.encode.mean()), 0);
  o.Raw("stage_mean_micros", means.Build());
  o.Raw("decode_ms", LatencyJson(image.decode, o.child_indent()));
  o.Raw("embed_ms", LatencyJson(image.embed, o.child_indent()));
  o.Raw("encode_ms", LatencyJson(image.encode, o.child_indent()));
  return o.Build();
}

// The fields every result carries (a workload, a run's total, the baseline).
void AddResultFields(const WorkloadResult& r, JsonObject& o) {
  const int in = o.child_indent();
  o.Int("requests", r.requests);
  o.Int("ok", r.ok);
  o.Int("errors", r.errors);
  o.Raw("errors_by_code", CountsJson(r.errors_by_code, in));
  o.Number("throughput_rps", r.throughput_rps(), 1);
  o.Raw("decisions", CountsJson(r.decisions, in));
  o.Raw("reasons", CountsJson(r.reasons, in));
  o.Raw("latency_ms", LatencyJson(r.latency, in));
  if (!r.latency_by_decision.empty()) {
    JsonObject by_decision(in);
    for (const auto& [name, h] : r.latency_by_decision) {
      by_decision.Raw(name, LatencyJson(h, by_decision.child_indent()));
    }
    o.Raw("latency_by_decision_ms", by_decision.Build());
  }
  o.Int("over_budget", r.over_budget);
  o.Raw("server_latency_ms", LatencyJson(r.server_latency, in));
  o.Int("late_sends", r.late_sends);
  o.Raw("send_lag_ms", LatencyJson(r.send_lag, in));
  if (r.request_bytes > 0 || !r.image.empty()) o.Raw("image", ImageJson(r, in));
  if (r.streams.started > 0 || r.streams.completed > 0) {
    JsonObject s(in);
    s.Int("started", r.streams.started);
    s.Int("completed", r.streams.completed);
    s.Int("held_deltas", r.streams.held_deltas);
    s.Int("extra_responses", r.streams.extra_responses);
    s.Raw("finish_ms", LatencyJson(r.stream_finish, s.child_indent()));
    s.Raw("first_release_ms", LatencyJson(r.stream_first_release, s.child_indent()));
    o.Raw("streams", s.Build());
  }
}

// A run: its label and address, its total and each workload.
void AddRunFields(const RunResult& run, JsonObject& o) {
  o.String("label", run.label);
  o.String("address", run.address);
  AddResultFields(run.total, o);
  o.Int("warmup_requests", run.warmup_requests);
  o.Int("setup_requests", run.setup_requests);
  std::vector<std::string> workloads;
  const std::string pad(static_cast<size_t>(o.child_indent() + 2), ' ');
  for (const WorkloadResult& w : run.workloads) {
    JsonObject wo(o.child_indent() + 2);
    wo.String("workload", w.workload);
    AddResultFields(w, wo);
    workloads.push_back(wo.Build());
  }
  o.Raw("workloads",
        absl::StrCat("[\n", pad, absl::StrJoin(workloads, absl::StrCat(",\n", pad)), "\n",
                     std::string(static_cast<size_t>(o.child_indent()), ' '), "]"));
}

std::string AddedJson(const WorkloadResult& run, const WorkloadResult& baseline, int indent) {
  JsonObject o(indent);
  for (const Quantile& q : kQuantiles) {
    o.Number(q.json_key, Ms(run.latency.Percentile(q.q) - baseline.latency.Percentile(q.q)), 3);
  }
  o.Number("max", Ms(run.latency.max() - baseline.latency.max()), 3);
  o.Number("mean", Ms(run.latency.mean() - baseline.latency.mean()), 3);
  return o.Build();
}

// ---- Table -----------------------------------------------------------------

std::string ModeLine(const RunConfig& c) {
  std::vector<std::string> parts;
  bool unary = false;
  bool streams = false;
  for (const WorkloadSpec& w : c.workloads) (w.unary() ? unary : streams) = true;
  if (unary) {
    parts.push_back(c.rate > 0 ? absl::StrFormat("open loop %g req/s", c.rate)
                               : absl::StrCat("closed loop, ", c.concurrency, " callers"));
  }
  if (streams) {
    parts.push_back(absl::StrCat(c.concurrency, " concurrent streams per stream workload"));
  }
  return absl::StrJoin(parts, ", ");
}

std::string Row(absl::string_view run, absl::string_view workload, const WorkloadResult* r,
                const LatencyHistogram& h) {
  std::string row;
  if (r != nullptr) {
    row = absl::StrFormat("%-10s %-26s %9d %9d %7d %6d %9.1f |", run, workload, r->requests, r->ok,
                          r->errors, r->late_sends, r->throughput_rps());
  } else {
    row = absl::StrFormat("%-10s %-71s |", run, workload);
  }
  if (h.count() == 0) return absl::StrCat(row, "  (no samples)\n");
  for (const Quantile& q : kQuantiles) absl::StrAppendFormat(&row, " %8.3f", Ms(h.Percentile(q.q)));
  absl::StrAppendFormat(&row, " %8.3f %8.3f\n", Ms(h.max()), Ms(h.mean()));
  return row;
}

std::string CountsLine(const std::map<std::string, int64_t>& counts) {
  if (counts.empty()) return "none";
  return absl::StrJoin(counts, " ", absl::PairFormatter("="));
}

void AppendRun(const RunResult& run, std::string& out) {
  const bool several = run.workloads.size() > 1;
  for (const WorkloadResult& w : run.workloads) {
    out += Row(run.label, w.workload, &w, w.latency);
    if (w.server_latency.count() > 0) {
      const bool stream = w.streams.started > 0 || w.streams.completed > 0;
      out += Row("", stream ? "  server_micros, per stream (summed)" : "  server_micros", nullptr,
                 w.server_latency);
    }
    if (!w.image.empty()) {
      if (w.image.decode.count() > 0) out += Row("", "    decode_micros", nullptr, w.image.decode);
      if (w.image.embed.count() > 0) out += Row("", "    embed_micros", nullptr, w.image.embed);
      if (w.image.encode.count() > 0) out += Row("", "    encode_micros", nullptr, w.image.encode);
    }
  }
  if (several) out += Row(run.label, "all", &run.total, run.total.latency);
}

void AppendDetails(const RunResult& run, std::string& out) {
  for (const WorkloadResult& w : run.workloads) {
    const std::string who = absl::StrCat(run.label, " ", w.workload);
    absl::StrAppend(&out, "  ", who, "\n");
    absl::StrAppend(&out, "    decisions: ", CountsLine(w.decisions), "\n");
    if (!w.reasons.empty()) absl::StrAppend(&out, "    reasons:   ", CountsLine(w.reasons), "\n");
    absl::StrAppend(&out, "    errors:    ", CountsLine(w.errors_by_code), "\n");
    if (w.latency_by_decision.size() > 1) {
      // Only worth a line when some calls were decided otherwise (shed).
      absl::StrAppend(&out, "    latency by decision:");
      for (const auto& [name, h] : w.latency_by_decision) {
        absl::StrAppendFormat(&out, " %s p50 %.3f / p99 %.3f / max %.3f ms;", name,
                              Ms(h.Percentile(0.5)), Ms(h.Percentile(0.99)), Ms(h.max()));
      }
      out += "\n";
    }
    if (w.over_budget > 0) {
      absl::StrAppendFormat(&out, "    over budget: %d calls slower than the budget\n",
                            w.over_budget);
    }
    if (!w.payload.empty()) {
      absl::StrAppend(&out, "    image:     ", w.payload, "; ", w.request_bytes,
                      " bytes per request\n");
    }
    if (!w.image.empty()) {
      const ImageStats& image = w.image;
      absl::StrAppendFormat(&out, "    returned:  %d images, mean %.0f bytes", image.responses,
                            image.response_bytes_sum / static_cast<double>(image.responses));
      if (image.psnr_count > 0) {
        absl::StrAppendFormat(&out, ", mean PSNR %.2f dB",
                              image.psnr_db_sum / static_cast<double>(image.psnr_count));
      }
      absl::StrAppendFormat(&out, "; mean stage times decode %.0f, embed %.0f, encode %.0f us\n",
                            absl::ToDoubleMicroseconds(image.decode.mean()),
                            absl::ToDoubleMicroseconds(image.embed.mean()),
                            absl::ToDoubleMicroseconds(image.encode.mean()));
    }
    if (w.send_lag.count() > 0) {
      absl::StrAppendFormat(&out,
                            "    send lag:  p50 %.3f ms, p99 %.3f ms, max %.3f ms; late sends "
                            "(> %s behind schedule): %d\n",
                            Ms(w.send_lag.Percentile(0.5)), Ms(w.send_lag.Percentile(0.99)),
                            Ms(w.send_lag.max()), absl::FormatDuration(kLateSendThreshold),
                            w.late_sends);
    }
    if (w.streams.started > 0 || w.streams.completed > 0) {
      const double per_stream = w.streams.completed > 0
                                    ? static_cast<double>(w.streams.held_deltas) /
                                          static_cast<double>(w.streams.completed)
                                    : 0;
      absl::StrAppendFormat(
          &out,
          "    streams:   %d started in the window, %d ended after the warm-up; held deltas (no "
          "response before the next delta or the end) %d (%.1f per ended stream); extra "
          "responses %d\n",
          w.streams.started, w.streams.completed, w.streams.held_deltas, per_stream,
          w.streams.extra_responses);
      if (w.stream_first_release.count() > 0) {
        absl::StrAppendFormat(&out,
                              "    first text released (first delta to first non-empty "
                              "response): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                              Ms(w.stream_first_release.Percentile(0.5)),
                              Ms(w.stream_first_release.Percentile(0.99)),
                              Ms(w.stream_first_release.max()));
      }
      if (w.stream_finish.count() > 0) {
        absl::StrAppendFormat(&out,
                              "    stream close (WritesDone to final response): p50 %.3f ms, p99 "
                              "%.3f ms, max %.3f ms\n",
                              Ms(w.stream_finish.Percentile(0.5)),
                              Ms(w.stream_finish.Percentile(0.99)), Ms(w.stream_finish.max()));
      }
    }
  }
}

}  // namespace

std::string ReadLoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string line;
  if (!std::getline(in, line)) return "unknown";
  std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
  if (fields.size() < 3) return "unknown";
  return absl::StrJoin(fields.begin(), fields.begin() + 3, " ");
}

std::string FormatTable(const RunContext& context, const RunResult& run,
                        const RunResult* baseline) {
  const RunConfig& c = context.config;
  std::vector<std::string> names;
  for (const WorkloadSpec& w : c.workloads) names.push_back(w.name);
  std::string out = absl::StrFormat(
      "hallmark-loadgen: target %s, workload %s, %s, %s measured after %s warm-up, deadline %s, "
      "space \"%s\"\n",
      context.target, absl::StrJoin(names, ","), ModeLine(c), absl::FormatDuration(c.duration),
      absl::FormatDuration(c.warmup), absl::FormatDuration(c.deadline), c.space);
  absl::StrAppendFormat(&out, "machine: %d cores, load average %s before, %s after\n\n",
                        context.cores, context.loadavg_before, context.loadavg_after);
  absl::StrAppendFormat(&out, "%-10s %-26s %9s %9s %7s %6s %9s | %8s %8s %8s %8s %8s %8s\n", "run",
                        "workload", "requests", "ok", "errors", "late", "ok/s", "p50 ms", "p90 ms",
                        "p99 ms", "p99.9 ms", "max ms", "mean ms");
  AppendRun(run, out);
  if (baseline != nullptr) AppendRun(*baseline, out);
  out += "\n";
  AppendDetails(run, out);
  if (baseline != nullptr) AppendDetails(*baseline, out);
  if (baseline != nullptr) {
    out += "\n";
    for (size_t i = 0; i < run.workloads.size() && i < baseline->workloads.size(); ++i) {
      const LatencyHistogram& a = run.workloads[i].latency;
      const LatencyHistogram& b = baseline->workloads[i].latency;
      absl::StrAppendFormat(
          &out,
          "added latency %s: %s p99 - %s p99 = %.3f - %.3f = %.3f ms "
          "(p50 %+.3f, p90 %+.3f, p99.9 %+.3f ms)\n",
          run.workloads[i].workload, run.label, baseline->label, Ms(a.Percentile(0.99)),
          Ms(b.Percentile(0.99)), Ms(a.Percentile(0.99) - b.Percentile(0.99)),
          Ms(a.Percentile(0.5) - b.Percentile(0.5)), Ms(a.Percentile(0.9) - b.Percentile(0.9)),
          Ms(a.Percentile(0.999) - b.Percentile(0.999)));
    }
  }
  return out;
}

namespace {

// The "config" and "machine" members every JSON document starts with.
void AddContextFields(const RunContext& context, bool baseline, JsonObject& root) {
  const RunConfig& c = context.config;
  JsonObject config(root.child_indent());
  std::vector<std::string> names;
  std::vector<std::string> quoted;
  for (const WorkloadSpec& w : c.workloads) {
    names.push_back(w.name);
    quoted.push_back(cli::JsonQuote(w.name));
  }
  config.String("target", context.target);
  config.String("workload", absl::StrJoin(names, ","));
  config.Raw("workloads", absl::StrCat("[", absl::StrJoin(quoted, ", "), "]"));
  config.String("mode", c.rate > 0 ? "open_loop" : "closed_loop");
  config.Number("rate", c.rate, 1);
  config.Int("concurrency", c.concurrency);
  config.Number("duration_s", absl::ToDoubleSeconds(c.duration), 3);
  config.Number("warmup_s", absl::ToDoubleSeconds(c.warmup), 3);
  config.Int("deadline_ms", absl::ToInt64Milliseconds(c.deadline));
  config.Int("budget_ms", absl::ToInt64Milliseconds(c.budget));
  config.String("space", c.space);
  config.Int("channels", c.channels);
  config.Bool("baseline", baseline);
  root.Raw("config", config.Build());

  JsonObject machine(root.child_indent());
  machine.Int("cores", context.cores);
  machine.String("loadavg_before", context.loadavg_before);
  machine.String("loadavg_after", context.loadavg_after);
  root.Raw("machine", machine.Build());
}

}  // namespace

std::string FormatJson(const RunContext& context, const RunResult& run, const RunResult* baseline) {
  JsonObject root(0);
  root.String("tool", "hallmark-loadgen");
  AddContextFields(context, baseline != nullptr, root);
  AddRunFields(run, root);
  if (baseline != nullptr) {
    JsonObject base(root.child_indent());
    AddRunFields(*baseline, base);
    root.Raw("baseline", base.Build());
    root.Raw("added_latency_ms", AddedJson(run.total, baseline->total, root.child_indent()));
    // Per workload, so a mixed run shows what each kind of call pays.
    JsonObject by_workload(root.child_indent());
    for (size_t i = 0; i < run.workloads.size() && i < baseline->workloads.size(); ++i) {
      by_workload.Raw(run.workloads[i].workload, AddedJson(run.workloads[i], baseline->workloads[i],
                                                           by_workload.child_indent()));
    }
    root.Raw("added_latency_ms_by_workload", by_workload.Build());
  }
  return root.Build() + "\n";
}

std::string FormatSweepHeader(const RunContext& context, const SweepConfig& sweep, bool baseline) {
  const RunConfig& c = context.config;
  std::vector<std::string> names;
  for (const WorkloadSpec& w : c.workloads) names.push_back(w.name);
  std::string out = absl::StrFormat(
      "hallmark-loadgen sweep: target %s, workload %s, open loop from %g req/s x%g up to %g "
      "req/s, %s per step after %s warm-up, deadline %s\n",
      context.target, absl::StrJoin(names, ","), sweep.start_rps, sweep.factor, sweep.max_rps,
      absl::FormatDuration(c.duration), absl::FormatDuration(c.warmup),
      absl::FormatDuration(c.deadline));
  absl::StrAppendFormat(
      &out,
      "a step passes with p99 <= %s (the target's own p99), no errors, no shedding "
      "(PASSED_THROUGH, BLOCKED, OVERLOAD) and late sends <= %g%%\n",
      absl::FormatDuration(sweep.p99_threshold), sweep.max_late_fraction * 100);
  absl::StrAppendFormat(&out, "machine: %d cores, load average %s before\n\n", context.cores,
                        context.loadavg_before);
  absl::StrAppendFormat(&out, "%9s %8s %8s %6s %6s %6s %9s | %8s %8s %8s %8s %8s", "rate/s",
                        "requests", "ok", "errors", "shed", "late%", "ok/s", "p50 ms", "p90 ms",
                        "p99 ms", "p99.9 ms", "max ms");
  if (baseline) absl::StrAppendFormat(&out, " | %9s %9s", "+p50 ms", "+p99 ms");
  out += " | result\n";
  return out;
}

namespace {

// " (generator, errors, p99)": the criteria a step failed, or nothing.
std::string FailuresText(const SweepStep& step) {
  if (step.failures.empty()) return "";
  std::vector<std::string> names;
  for (SweepLimit f : step.failures) names.push_back(SweepLimitName(f));
  return absl::StrCat(" (", absl::StrJoin(names, ", "), ")");
}

// The criteria a step failed after the first one: " errors, p99".
std::string OtherFailuresText(const SweepStep& step) {
  std::vector<std::string> names;
  for (size_t i = 1; i < step.failures.size(); ++i) {
    names.push_back(SweepLimitName(step.failures[i]));
  }
  return absl::StrCat(" ", absl::StrJoin(names, ", "));
}

}  // namespace

std::string FormatSweepRow(const SweepStep& step) {
  const WorkloadResult& r = step.run.total;
  const LatencyHistogram& h = r.latency;
  std::string row =
      absl::StrFormat("%9.0f %8d %8d %6d %6d %6.2f %9.1f |", step.rate, r.requests, r.ok, r.errors,
                      step.shed, step.late_fraction * 100, r.throughput_rps());
  for (const Quantile& q : kQuantiles) absl::StrAppendFormat(&row, " %8.3f", Ms(h.Percentile(q.q)));
  absl::StrAppendFormat(&row, " %8.3f", Ms(h.max()));
  if (step.has_baseline) {
    const LatencyHistogram& b = step.baseline.total.latency;
    absl::StrAppendFormat(&row, " | %+9.3f %+9.3f", Ms(h.Percentile(0.5) - b.Percentile(0.5)),
                          Ms(h.Percentile(0.99) - b.Percentile(0.99)));
  }
  absl::StrAppend(&row, " | ", step.passed() ? "pass" : "FAIL", FailuresText(step), "\n");
  return row;
}

std::string FormatSweepSummary(const RunContext& context, const SweepConfig& sweep,
                               const SweepResult& result) {
  std::string out = "\n";
  std::string why;
  switch (result.limit) {
    case SweepLimit::kLatency:
      why = absl::StrCat("p99 crossed ", absl::FormatDuration(sweep.p99_threshold));
      break;
    case SweepLimit::kErrors:
      why = "calls failed";
      break;
    case SweepLimit::kShedding:
      why = "the sidecar shed or blocked calls";
      break;
    case SweepLimit::kGenerator:
      why = absl::StrFormat(
          "THE GENERATOR, not the sidecar, was the limit: more than %g%% of its sends were "
          "late%s",
          sweep.max_late_fraction * 100,
          result.steps.empty() || result.steps.back().failures.size() < 2
              ? ""
              : absl::StrCat("; the step also failed on", OtherFailuresText(result.steps.back()),
                             ", which on a shared machine may be the generator's doing too (it "
                             "competes with the sidecar for the same cores)"));
      break;
    case SweepLimit::kSweepMax:
      why = "every step passed up to --sweep_max (the sidecar's limit is higher)";
      break;
    case SweepLimit::kNone:
      why = "no step ran";
      break;
  }
  absl::StrAppendFormat(&out, "sweep ended: %s\n", why);
  if (result.sustainable_rps > 0) {
    absl::StrAppendFormat(
        &out,
        "sustainable rate: %.0f req/s (the last step that passed); per core: %.0f req/s, "
        "taking hallmarkd to use %d core(s) (--sidecar_cores, not measured)\n",
        result.sustainable_rps, result.sustainable_rps / sweep.sidecar_cores, sweep.sidecar_cores);
  } else {
    absl::StrAppendFormat(&out, "sustainable rate: none (the first step, %g req/s, failed)\n",
                          sweep.start_rps);
  }
  absl::StrAppendFormat(&out, "load average %s before, %s after\n", context.loadavg_before,
                        context.loadavg_after);
  return out;
}

std::string FormatSweepJson(const RunContext& context, const SweepConfig& sweep,
                            const SweepResult& result) {
  bool baseline = false;
  for (const SweepStep& step : result.steps) baseline = baseline || step.has_baseline;
  JsonObject root(0);
  root.String("tool", "hallmark-loadgen");
  root.String("mode", "sweep");
  AddContextFields(context, baseline, root);

  JsonObject criteria(root.child_indent());
  criteria.Number("start_rps", sweep.start_rps, 1);
  criteria.Number("factor", sweep.factor, 3);
  criteria.Number("max_rps", sweep.max_rps, 1);
  criteria.Number("p99_threshold_ms", Ms(sweep.p99_threshold), 3);
  criteria.Number("max_late_fraction", sweep.max_late_fraction, 4);
  criteria.Int("sidecar_cores", sweep.sidecar_cores);
  root.Raw("sweep_config", criteria.Build());

  std::vector<std::string> steps;
  const int step_indent = root.child_indent() + 2;
  for (const SweepStep& step : result.steps) {
    JsonObject o(step_indent);
    o.Number("rate", step.rate, 1);
    o.Bool("passed", step.passed());
    o.String("limit", SweepLimitName(step.limit));
    std::vector<std::string> failures;
    for (SweepLimit f : step.failures) failures.push_back(cli::JsonQuote(SweepLimitName(f)));
    o.Raw("failures", absl::StrCat("[", absl::StrJoin(failures, ", "), "]"));
    o.Number("late_fraction", step.late_fraction, 5);
    o.Int("shed", step.shed);
    o.String("label", step.run.label);
    AddResultFields(step.run.total, o);
    o.Int("warmup_requests", step.run.warmup_requests);
    o.Int("setup_requests", step.run.setup_requests);
    if (step.has_baseline) {
      JsonObject base(o.child_indent());
      base.String("label", step.baseline.label);
      AddResultFields(step.baseline.total, base);
      o.Raw("baseline", base.Build());
      o.Raw("added_latency_ms", AddedJson(step.run.total, step.baseline.total, o.child_indent()));
    }
    steps.push_back(o.Build());
  }
  const std::string pad(static_cast<size_t>(step_indent), ' ');
  root.Raw("sweep", steps.empty()
                        ? "[]"
                        : absl::StrCat("[\n", pad, absl::StrJoin(steps, absl::StrCat(",\n", pad)),
                                       "\n", std::string(2, ' '), "]"));
  root.Number("sustainable_rps", result.sustainable_rps, 1);
  root.Int("sidecar_cores", sweep.sidecar_cores);
  root.Number("sustainable_rps_per_core", result.sustainable_rps / sweep.sidecar_cores, 1);
  root.String("limit", SweepLimitName(result.limit));
  return root.Build() + "\n";
}

}  // namespace hallmark::loadgen
