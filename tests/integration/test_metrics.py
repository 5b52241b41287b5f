"""End-to-end tests of hallmarkd's Prometheus metrics: exact counts for a
known set of calls, promtool's format check, and a real Prometheus scrape."""
import json
import os
import subprocess
import unittest
import urllib.parse

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2
import texts

D = hallmark_pb2
PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"

POLICY = """\
default:
  mode: mark
  budget_ms: 1000
spaces:
  "m/off":     { mode: off }
  "m/shadow":  { mode: shadow }
  "m/mark":    { mode: mark }
  "m/enforce": { mode: enforce }
"""

# The calls made, and the hallmark_requests_total series each must produce:
# (space, text, expected (space label, mode, decision, reason)).
CALLS = [
    ("m/mark", texts.PROSE, ("m/mark", "mark", "marked", "none")),
    ("m/mark", texts.PROSE, ("m/mark", "mark", "marked", "none")),
    ("m/mark", texts.MARKDOWN, ("m/mark", "mark", "marked", "none")),
    ("m/mark", texts.SHORT, ("m/mark", "mark", "passed_through", "too_short")),
    ("m/mark", texts.SHORT, ("m/mark", "mark", "passed_through", "too_short")),
    ("m/enforce", texts.SHORT, ("m/enforce", "enforce", "blocked", "too_short")),
    ("m/off", texts.PROSE, ("m/off", "off", "passed_through", "mode_off")),
    ("m/off", texts.SHORT, ("m/off", "off", "passed_through", "mode_off")),
    ("m/shadow", texts.PROSE, ("m/shadow", "shadow", "shadowed", "none")),
    ("m/shadow", texts.SHORT, ("m/shadow", "shadow", "shadowed", "too_short")),
    ("nobody/named-this", texts.PROSE, ("other", "mark", "marked", "none")),
]
# Calls that ran the marker (every mode but off).
EMBEDS = sum(1 for call in CALLS if call[2][1] != "off")


class MetricsTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        cls.daemon, _, _ = cls.start_class_daemon_with(POLICY, "metrics-key")
        cls.marked = None
        stub = cls.daemon.stub()
        for space, text, expected in CALLS:
            request = D.MarkTextRequest(space=space, text=text)
            try:
                response = stub.MarkText(request, timeout=h.RPC_TIMEOUT)
            except grpc.RpcError as error:
                if expected[2] != "blocked":
                    raise
                assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                continue
            assert h.hallmark_pb2.Decision.Name(response.decision).lower().endswith(
                expected[2]), (space, response.decision)
            if response.decision == D.DECISION_MARKED and cls.marked is None:
                cls.marked = response.text
        # Two detections: one verified, one of an unmarked text.
        assert stub.Detect(D.DetectRequest(text=cls.marked), timeout=h.RPC_TIMEOUT).verified
        assert not stub.Detect(D.DetectRequest(text=texts.PROSE),
                               timeout=h.RPC_TIMEOUT).detected
        # One invalid request, counted apart from the decisions.
        try:
            stub.MarkText(D.MarkTextRequest(space="", text="x"), timeout=h.RPC_TIMEOUT)
            raise AssertionError("an empty space was accepted")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
        cls.exposition = h.http_get(cls.daemon.metrics_url)
        cls.samples = h.parse_metrics(cls.exposition)

    def test_promtool_accepts_the_exposition(self):
        result = subprocess.run([PROMTOOL, "check", "metrics"], input=self.exposition.encode(),
                                capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 0,
                         f"promtool check metrics failed:\n{result.stdout.decode()}"
                         f"{result.stderr.decode()}")

    def test_requests_total_counts_every_call_exactly(self):
        expected = {}
        for _, _, key in CALLS:
            expected[key] = expected.get(key, 0) + 1
        actual = {}
        for _, labels, value in h.select(self.samples, "hallmark_requests_total"):
            # Image series exist from the start (created with the policy);
            # this test sends text only.
            self.assertIn(labels["modality"], ("text", "image"), labels)
            if labels["modality"] == "image":
                self.assertEqual(value, 0, labels)
            elif value:
                key = (labels["space"], labels["mode"], labels["decision"], labels["reason"])
                actual[key] = value
        self.assertEqual(actual, expected)

    def test_request_labels_are_bounded(self):
        series = h.select(self.samples, "hallmark_requests_total")
        spaces = {labels["space"] for _, labels, _ in series}
        self.assertEqual(spaces, {"m/off", "m/shadow", "m/mark", "m/enforce", "other"})
        self.assertNotIn("nobody/named-this", self.exposition)
        decisions = {labels["decision"] for _, labels, _ in series}
        self.assertLessEqual(decisions, {"marked", "shadowed", "passed_through", "blocked"})
        reasons = {labels["reason"] for _, labels, _ in series}
        self.assertLessEqual(reasons, {"none", "mode_off", "budget", "too_short", "unsupported",
                                       "overload", "internal"})

    def test_added_latency_histogram(self):
        count = h.metric_sum(self.samples, "hallmark_added_latency_seconds_count",
                             modality="text")
        self.assertEqual(count, len(CALLS))
        buckets = h.select(self.samples, "hallmark_added_latency_seconds_bucket",
                           modality="text", scheme="unicode")
        edges = {float(labels["le"]) for _, labels, _ in buckets}
        for edge in (0.05, 0.1, 0.2, 0.4, float("inf")):
            self.assertIn(edge, edges)
        self.assertTrue([e for e in edges if e < 0.001], f"no sub-millisecond bucket: {edges}")
        inf = [v for _, labels, v in buckets if labels["le"] == "+Inf"]
        self.assertEqual(inf, [len(CALLS)])
        # Buckets are cumulative.
        values = [v for _, _, v in sorted(buckets, key=lambda s: float(s[1]["le"]))]
        self.assertEqual(values, sorted(values))
        total = h.metric_sum(self.samples, "hallmark_added_latency_seconds_sum", modality="text")
        self.assertGreater(total, 0)
        self.assertLess(total, len(CALLS) * 1.0)

    def test_stage_histograms(self):
        embed = h.metric_sum(self.samples, "hallmark_stage_seconds_count", modality="text",
                             stage="embed")
        self.assertEqual(embed, EMBEDS)
        detect = h.metric_sum(self.samples, "hallmark_stage_seconds_count", modality="text",
                              stage="detect")
        self.assertEqual(detect, 2)
        carriers = h.metric_sum(self.samples, "hallmark_text_carriers_count")
        self.assertEqual(carriers, EMBEDS)

    def test_detections(self):
        def detections(result):
            return h.metric_sum(self.samples, "hallmark_detections_total", modality="text",
                                scheme="unicode", result=result)
        self.assertEqual(detections("verified"), 1)
        self.assertEqual(detections("not_detected"), 1)
        self.assertEqual(detections("unverified"), 0)

    def test_gauges_and_info(self):
        self.assertEqual(h.metric_sum(self.samples, "hallmark_keys_loaded"), 1)
        self.assertEqual(h.metric_sum(self.samples, "hallmark_in_flight_requests",
                                      modality="text"), 0)
        info = h.select(self.samples, "hallmark_build_info")
        self.assertEqual(len(info), 1)
        self.assertEqual(info[0][2], 1)
        self.assertEqual(info[0][1]["version"], self.daemon.ready["version"])
        self.assertIn("commit", info[0][1])
        self.assertEqual(h.metric_sum(self.samples, "hallmark_config_reloads_total"), 0)
        self.assertEqual(h.metric_sum(self.samples, "hallmark_budget_exhausted_total"), 0)

    def test_invalid_requests(self):
        self.assertEqual(h.metric_sum(self.samples, "hallmark_invalid_requests_total",
                                      rpc="MarkText"), 1)

    def test_keys_never_exposed(self):
        keys_dir = self.daemon.args[self.daemon.args.index("--keys") + 1]
        with open(os.path.join(keys_dir, "metrics-key")) as f:
            secret = f.read().strip()
        self.assertNotIn(secret, self.exposition)
        self.assertNotIn(secret, self.daemon.output())


class PrometheusScrapeTest(h.HallmarkTestCase):
    """A real Prometheus scrapes hallmarkd and answers PromQL about it."""

    def start_prometheus(self, target):
        directory = self.temp_dir()
        config = self.write_file(directory, "prometheus.yml", (
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "scrape_configs:\n"
            "  - job_name: hallmarkd\n"
            "    static_configs:\n"
            f"      - targets: ['{target}']\n"))
        port = h.free_port()
        log = os.path.join(directory, "prometheus.log")
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                ["setpriv", "--pdeathsig", "KILL", "--", PROMETHEUS,
                 f"--config.file={config}", f"--storage.tsdb.path={directory}/data",
                 f"--web.listen-address=127.0.0.1:{port}"],
                cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log_file)
        self.addCleanup(self.stop_prometheus, process, log)
        return f"http://127.0.0.1:{port}"

    def stop_prometheus(self, process, log):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(h.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._test_failed():
            with open(log, errors="replace") as f:
                print(f"\n----- prometheus log -----\n{f.read()}\n----- end -----")

    def api(self, base, path, **params):
        url = f"{base}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = json.loads(h.http_get(url))
        if body.get("status") != "success":
            raise AssertionError(f"{url}: {body}")
        return body["data"]

    def test_prometheus_scrapes_hallmarkd(self):
        # A generous budget: a stall of the loaded test machine must not turn
        # a mark into a BUDGET pass-through and change the counts.
        policy = self.write_file(self.temp_dir(), "policy.yaml",
                                 "default:\n  mode: mark\n  budget_ms: 5000\n")
        daemon = self.start_daemon(policy=policy)
        stub = daemon.stub()
        mark_calls = 0
        for space, text in (("a/b", texts.PROSE), ("a/b", texts.SHORT), ("c/d", texts.PROSE)):
            stub.MarkText(D.MarkTextRequest(space=space, text=text), timeout=h.RPC_TIMEOUT)
            mark_calls += 1
        base = self.start_prometheus(daemon.metrics_address)

        def target_up():
            targets = self.api(base, "/api/v1/targets")["activeTargets"]
            return targets and targets[0]["health"] == "up" and targets[0]
        target = h.wait_until(target_up, 60, "Prometheus to scrape hallmarkd successfully")
        self.assertEqual(target["labels"]["job"], "hallmarkd")
        self.assertEqual(target["scrapeUrl"], daemon.metrics_url)

        def total():
            result = self.api(base, "/api/v1/query",
                              query="sum(hallmark_requests_total)")["result"]
            return result and float(result[0]["value"][1]) == mark_calls
        h.wait_until(total, 60, f"sum(hallmark_requests_total) == {mark_calls} in Prometheus")

        by_decision = self.api(base, "/api/v1/query",
                               query='sum by (decision, reason) (hallmark_requests_total)')
        counts = {(r["metric"]["decision"], r["metric"]["reason"]): float(r["value"][1])
                  for r in by_decision["result"] if float(r["value"][1])}
        self.assertEqual(counts, {("marked", "none"): 2, ("passed_through", "too_short"): 1})
        # The histogram is usable for latency quantiles.
        quantile = self.api(base, "/api/v1/query", query=(
            "histogram_quantile(0.99, sum by (le) (hallmark_added_latency_seconds_bucket))"))
        value = float(quantile["result"][0]["value"][1])
        self.assertGreater(value, 0)
        self.assertLessEqual(value, 0.2)


if __name__ == "__main__":
    unittest.main()
