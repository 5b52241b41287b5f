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
  o.Raw("server_latency_ms", LatencyJson(r.server_latency, in));
  o.Int("late_sends", r.late_sends);
  o.Raw("send_lag_ms", LatencyJson(r.send_lag, in));
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
  if (streams)
    parts.push_back(absl::StrCat(c.concurrency, " concurrent streams per stream workload"));
  return absl::StrJoin(parts, ", ");
}

std::string Row(absl::string_view run, absl::string_view workload, const WorkloadResult* r,
                const LatencyHistogram& h) {
  std::string row;
  if (r != nullptr) {
    row = absl::StrFormat("%-10s %-18s %9d %9d %7d %6d %9.1f |", run, workload, r->requests, r->ok,
                          r->errors, r->late_sends, r->throughput_rps());
  } else {
    row = absl::StrFormat("%-10s %-63s |", run, workload);
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
  absl::StrAppendFormat(&out, "%-10s %-18s %9s %9s %7s %6s %9s | %8s %8s %8s %8s %8s %8s\n", "run",
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

std::string FormatJson(const RunContext& context, const RunResult& run, const RunResult* baseline) {
  const RunConfig& c = context.config;
  JsonObject root(0);
  root.String("tool", "hallmark-loadgen");

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
  config.String("space", c.space);
  config.Int("channels", c.channels);
  config.Bool("baseline", baseline != nullptr);
  root.Raw("config", config.Build());

  JsonObject machine(root.child_indent());
  machine.Int("cores", context.cores);
  machine.String("loadavg_before", context.loadavg_before);
  machine.String("loadavg_after", context.loadavg_after);
  root.Raw("machine", machine.Build());

  AddRunFields(run, root);
  if (baseline != nullptr) {
    JsonObject base(root.child_indent());
    AddRunFields(*baseline, base);
    root.Raw("baseline", base.Build());
    root.Raw("added_latency_ms", AddedJson(run.total, baseline->total, root.child_indent()));
  }
  return root.Build() + "\n";
}

}  // namespace hallmark::loadgen
