"""Overload through the real hallmarkd: image work is bounded by its own
work slots (--max_in_flight_image / --max_queued_image), requests beyond are
shed at once by the mode rules, every request gets an answer, the client's
counts match the daemon's counters, and text keeps being marked meanwhile.
"""
import concurrent.futures
import io
import os
import statistics
import threading
import time
import unittest

from PIL import Image

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2 as D
import texts

POLICY = """
default:
  mode: mark
spaces:
  # A budget far above the work, so that an admitted image is always marked
  # and only the work slots decide who is shed.
  load/mark: {mode: mark, budget_ms: 20000}
  load/enforce: {mode: enforce, budget_ms: 20000}
"""

BURST = 12


def big_jpeg():
    """A 1536x1536 photo (tens of milliseconds of decode + mark + encode)."""
    with open(os.path.join(h.SOURCE_DIR, "tests", "data", "images", "astronaut.jpg"), "rb") as f:
        photo = Image.open(io.BytesIO(f.read())).convert("RGB")
    out = io.BytesIO()
    photo.resize((1536, 1536), Image.BILINEAR).save(out, "JPEG", quality=90)
    return out.getvalue()


class OverloadTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        cls.daemon, _, _ = cls.start_class_daemon_with(
            POLICY, None, extra_args=("--max_in_flight_image=1", "--max_queued_image=1"))
        cls.image = big_jpeg()

    def burst(self, space):
        """BURST concurrent MarkImage calls released together; returns
        (outcomes by name, errors by status code name)."""
        barrier = threading.Barrier(BURST)
        stub = self.daemon.stub()

        def call(_):
            barrier.wait()
            try:
                response = stub.MarkImage(D.MarkImageRequest(space=space, image=self.image),
                                          timeout=60)
                return ("ok", D.Decision.Name(response.decision), D.Reason.Name(response.reason),
                        response.image == self.image)
            except grpc.RpcError as error:
                reason = h.trailing_metadata(error).get("hallmark-reason", "")
                return ("error", error.code().name, reason, None)

        with concurrent.futures.ThreadPoolExecutor(BURST) as pool:
            return list(pool.map(call, range(BURST)))

    def shed_counter(self):
        return h.metric_sum(self.daemon.metrics(), "hallmark_shed_requests_total",
                            modality="image")

    def test_mark_mode_sheds_to_pass_through_and_counts_every_request(self):
        shed_before = self.shed_counter()
        results = self.burst("load/mark")
        marked = [r for r in results if r[:2] == ("ok", "DECISION_MARKED")]
        shed = [r for r in results if r[:3] == ("ok", "DECISION_PASSED_THROUGH", "REASON_OVERLOAD")]
        other = [r for r in results if r not in marked and r not in shed]
        print(f"\nmark burst: sent={BURST} marked={len(marked)} shed={len(shed)} "
              f"other={other}")
        self.assertEqual(other, [], "every request is either marked or shed; none lost")
        self.assertGreaterEqual(len(marked), 1)
        self.assertGreaterEqual(len(shed), 1, "12 simultaneous calls against 1 slot + 1 queue")
        for r in shed:
            self.assertTrue(r[3], "a shed request gets its original image back")
        self.assertEqual(self.shed_counter() - shed_before, len(shed))

    def test_enforce_mode_sheds_with_resource_exhausted(self):
        results = self.burst("load/enforce")
        marked = [r for r in results if r[:2] == ("ok", "DECISION_MARKED")]
        refused = [r for r in results
                   if r[:3] == ("error", "RESOURCE_EXHAUSTED", "REASON_OVERLOAD")]
        print(f"\nenforce burst: sent={BURST} marked={len(marked)} refused={len(refused)}")
        self.assertEqual(len(marked) + len(refused), BURST, results)
        self.assertGreaterEqual(len(refused), 1)

    def test_text_is_marked_while_images_saturate_their_slots(self):
        stop = threading.Event()
        latencies, failures = [], []

        def text_loop():
            stub = self.daemon.stub()
            while not stop.is_set():
                start = time.monotonic()
                try:
                    response = stub.MarkText(
                        D.MarkTextRequest(space="load/mark", text=texts.PROSE), timeout=10)
                    if response.decision != D.DECISION_MARKED:
                        failures.append(D.Decision.Name(response.decision))
                except grpc.RpcError as error:
                    failures.append(error.code().name)
                latencies.append(time.monotonic() - start)

        idle = []
        stub = self.daemon.stub()
        for _ in range(50):
            start = time.monotonic()
            stub.MarkText(D.MarkTextRequest(space="load/mark", text=texts.PROSE), timeout=10)
            idle.append(time.monotonic() - start)
        thread = threading.Thread(target=text_loop)
        thread.start()
        try:
            self.burst("load/mark")
            self.burst("load/mark")
        finally:
            stop.set()
            thread.join()
        print(f"\ntext while images saturate: {len(latencies)} calls, "
              f"p50 {statistics.median(latencies) * 1e3:.2f} ms "
              f"(idle p50 {statistics.median(idle) * 1e3:.2f} ms), "
              f"max {max(latencies) * 1e3:.1f} ms, failures {failures}")
        self.assertEqual(failures, [], "text must keep being marked")
        self.assertGreater(len(latencies), 0)


if __name__ == "__main__":
    unittest.main()
