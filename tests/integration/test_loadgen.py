"""Load smoke tests: hallmark-loadgen against a real hallmarkd.

A 10-second text run and a short image run (MarkImage and image Detect on
small images). Asserts behaviour only, never timing (the machines are
shared): the run completes, every call succeeds and is marked (or verified),
the JSON report has its documented keys, and the daemon counted exactly the
calls the generator sent.
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
IMAGE_RATE = 10
IMAGE_DURATION_S = 2


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
        # Every call was accepted (marked): the latency by decision is all of it.
        self.assertEqual(list(result["latency_by_decision_ms"]), ["DECISION_MARKED"])
        self.assertEqual(result["latency_by_decision_ms"]["DECISION_MARKED"]["count"], requests)
        self.assertEqual(result["config"]["budget_ms"], 200)
        self.assertGreaterEqual(result["over_budget"], 0)
        self.assertLessEqual(result["over_budget"], requests)

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

    def test_short_image_run(self):
        """MarkImage and image Detect, a few calls each on 256x256 images."""
        daemon = self.start_daemon()
        report = os.path.join(self.temp_dir(), "loadgen-image.json")
        run = subprocess.run(
            [LOADGEN, "--target", daemon.grpc_address,
             "--workload", "image:256x256:jpeg,detect-image:256x256:png",
             "--rate", str(IMAGE_RATE), "--duration", f"{IMAGE_DURATION_S}s", "--warmup", "1s",
             "--space", SPACE, "--json", report],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0,
                         f"hallmark-loadgen failed:\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}")
        with open(report) as f:
            result = json.load(f)

        # Calls alternate between the two workloads on one schedule.
        expected = IMAGE_RATE * IMAGE_DURATION_S
        self.assertGreaterEqual(result["requests"], expected * 0.9, run.stdout)
        self.assertLessEqual(result["requests"], expected * 1.1, run.stdout)
        self.assertEqual(result["errors"], 0, f"errors: {result['errors_by_code']}\n{run.stdout}")
        self.assertEqual(result["ok"], result["requests"])
        mark, detect = result["workloads"]
        self.assertEqual(mark["workload"], "image:256x256:jpeg")
        self.assertEqual(detect["workload"], "detect-image:256x256:png")
        self.assertGreater(mark["requests"], 0)
        self.assertGreater(detect["requests"], 0)
        self.assertEqual(mark["decisions"], {"DECISION_MARKED": mark["requests"]}, run.stdout)
        self.assertEqual(detect["decisions"], {"DETECT_VERIFIED": detect["requests"]}, run.stdout)

        # The image section: what was sent, and the sidecar's stage times.
        image = mark["image"]
        self.assertIn("astronaut.jpg", image["source"])
        self.assertGreater(image["request_bytes"], 0)
        self.assertEqual(image["responses"], mark["requests"])
        self.assertGreater(image["psnr_db_mean"], 30)
        for stage in ("decode", "embed", "encode"):
            self.assertIn(stage, image["stage_mean_micros"])
            self.assertEqual(image[f"{stage}_ms"]["count"], mark["requests"], stage)
        self.assertGreater(detect["image"]["request_bytes"], 0)

        # One MarkImage to prepare the detect workload; every call reached the
        # daemon: marks in hallmark_requests_total, detections apart.
        self.assertEqual(result["setup_requests"], 1)
        sent = result["requests"] + result["warmup_requests"] + result["setup_requests"]

        def counted():
            samples = daemon.metrics()
            return (h.metric_sum(samples, "hallmark_requests_total", modality="image") +
                    h.metric_sum(samples, "hallmark_detections_total", modality="image"))

        h.wait_until(lambda: counted() >= sent, 10, f"image calls counted to reach {sent}")
        self.assertEqual(counted(), sent)

    def test_echo_server_alone(self):
        """--serve_echo: the baseline as its own process, stopped by SIGTERM."""
        sock = os.path.join(self.temp_dir(), "echo.sock")
        echo = subprocess.Popen([LOADGEN, "--serve_echo", f"unix:{sock}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ready = echo.stdout.readline()
            self.assertEqual(ready.strip(), f"echo ready on unix:{sock}")
            report = os.path.join(self.temp_dir(), "echo.json")
            run = subprocess.run(
                [LOADGEN, "--target", f"unix:{sock}", "--workload", "text:1024", "--rate", "100",
                 "--duration", "1s", "--warmup", "0s", "--json", report],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}")
            with open(report) as f:
                result = json.load(f)
            self.assertEqual(result["errors"], 0, run.stdout)
            self.assertEqual(result["ok"], result["requests"])
            self.assertGreater(result["requests"], 0)
            # The echo decides nothing: its responses leave the decision unset.
            self.assertEqual(result["decisions"], {"DECISION_UNSPECIFIED": result["requests"]})
        finally:
            echo.terminate()
            self.assertEqual(echo.wait(timeout=10), 0, echo.stderr.read())
            echo.stdout.close()
            echo.stderr.close()


if __name__ == "__main__":
    unittest.main()
