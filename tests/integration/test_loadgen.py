"""A 10-second load smoke test: hallmark-loadgen against a real hallmarkd.

Asserts behaviour only, never timing (the machines are shared): the run
completes, every call succeeds and is marked, the JSON report has its
documented keys, and the daemon counted exactly the calls the generator sent.
"""
import json
import os
import subprocess
import unittest

import hallmark_harness as h

LOADGEN = os.environ.get("HALLMARK_LOADGEN")
RATE = 200
DURATION_S = 10
SPACE = "e2e/loadgen"


@unittest.skipUnless(LOADGEN, "HALLMARK_LOADGEN is not set (run through CTest)")
class LoadSmokeTest(h.HallmarkTestCase):

    def test_ten_second_open_loop_text_run(self):
        daemon = self.start_daemon()
        report = os.path.join(self.temp_dir(), "loadgen.json")
        run = subprocess.run(
            [LOADGEN, "--target", daemon.grpc_address, "--workload", "text:4096",
             "--rate", str(RATE), "--duration", f"{DURATION_S}s", "--warmup", "1s",
             "--space", SPACE, "--json", report],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0,
                         f"hallmark-loadgen failed:\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}")
        with open(report) as f:
            result = json.load(f)

        # The documented keys (docs/performance.md, issue 6).
        for key in ("requests", "errors", "throughput_rps", "decisions", "latency_ms",
                    "warmup_requests"):
            self.assertIn(key, result)
        for key in ("p50", "p90", "p99", "p999", "max"):
            self.assertIn(key, result["latency_ms"])
        self.assertEqual(result["config"]["mode"], "open_loop")

        # Open loop: the schedule fixes the count, whatever the latencies.
        expected = RATE * DURATION_S
        requests = result["requests"]
        self.assertGreaterEqual(requests, expected * 0.9, run.stdout)
        self.assertLessEqual(requests, expected * 1.1, run.stdout)
        self.assertEqual(result["errors"], 0, f"errors: {result['errors_by_code']}\n{run.stdout}")
        self.assertEqual(result["ok"], requests)
        self.assertEqual(result["decisions"], {"DECISION_MARKED": requests}, run.stdout)
        self.assertEqual(result["latency_ms"]["count"], requests)

        # The daemon saw every call the generator sent: the measured ones and
        # the warm-up (a text workload makes no set-up calls).
        self.assertEqual(result["setup_requests"], 0)
        sent = requests + result["warmup_requests"]
        self.assertGreater(result["warmup_requests"], 0)

        def counted():
            return h.metric_sum(daemon.metrics(), "hallmark_requests_total")

        h.wait_until(lambda: counted() >= sent, 10,
                     f"hallmark_requests_total to reach {sent}")
        self.assertEqual(counted(), sent)
        self.assertEqual(
            h.metric_sum(daemon.metrics(), "hallmark_requests_total", decision="marked"), sent)


if __name__ == "__main__":
    unittest.main()
