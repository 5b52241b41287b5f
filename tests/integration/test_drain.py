"""SIGTERM under load with --drain_delay: health turns NOT_SERVING at once,
calls are still served for the delay, then new calls are refused, every call
the server accepted completes, and hallmarkd exits 0. The client side counts
every call; the figures are printed."""
import collections
import os
import re
import signal
import sys
import threading
import time
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2, health_pb2
import texts

D = hallmark_pb2
SPACE = "drain/mark"
POLICY = f"""\
default: {{ mode: mark }}
spaces:
  "{SPACE}": {{ mode: mark }}
"""


class LoadCounts:
    """What the clients saw, call by call. Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self.sent = 0
        self.accepted = 0
        self.accepted_after_sigterm = 0
        self.refused = collections.Counter()  # status code name → calls
        self.refusal_details = set()
        self.failed = []  # anything else: (code, details)
        self.sigterm_at = None

    def outcome(self, started, error):
        with self._lock:
            self.sent += 1
            if error is None:
                self.accepted += 1
                if self.sigterm_at is not None and started >= self.sigterm_at:
                    self.accepted_after_sigterm += 1
            elif error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                self.refused[error.code().name] += 1
                self.refusal_details.add(f"{error.code().name}: {error.details()}")
            else:
                self.failed.append((error.code(), error.details()))

    def snapshot(self):
        with self._lock:
            return (self.sent, self.accepted, self.accepted_after_sigterm,
                    dict(self.refused), list(self.failed))


class DrainTest(h.HallmarkTestCase):

    WORKERS = 16
    REFUSALS_PER_WORKER = 5
    DRAIN_DELAY = 2.0

    def start_drain_daemon(self, drain_delay):
        directory = self.temp_dir()
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), POLICY)
        return self.start_daemon(policy=policy, keys=self.key_dir("k-drain"),
                                 shutdown_grace="30s",
                                 extra_args=["--drain_delay", drain_delay])

    def health(self, daemon):
        try:
            return daemon.health_stub().Check(health_pb2.HealthCheckRequest(service=""),
                                              timeout=2).status
        except grpc.RpcError as error:
            return error.code()

    def test_sigterm_under_load_loses_no_accepted_call(self):
        daemon = self.start_drain_daemon(f"{self.DRAIN_DELAY}s")

        # A stream half-way through, which keeps the daemon (and its metrics)
        # alive after the unary load has been refused.
        words = re.findall(r"\S+\s*", texts.PROSE)
        stream = h.BidiStream(daemon.stub(), timeout=120)
        self.addCleanup(stream.cancel)
        stream.send(words[0], space=SPACE)
        for word in words[1:len(words) // 2]:
            stream.send(word)
        kind, first = stream.next_event(what="the first text the stream releases")
        self.assertEqual(kind, "response", first)

        counts = LoadCounts()

        def worker():
            # Each worker has its own channel: its own connection, as the
            # instances of an application would.
            channel = grpc.insecure_channel(daemon.grpc_address,
                                            options=[("grpc.use_local_subchannel_pool", 1)])
            stub = h.hallmark_pb2_grpc.HallmarkStub(channel)
            refusals = 0
            try:
                while refusals < self.REFUSALS_PER_WORKER:
                    started = time.monotonic()
                    try:
                        response = stub.MarkText(D.MarkTextRequest(space=SPACE, text=texts.PROSE),
                                                 timeout=h.RPC_TIMEOUT)
                        if (response.decision != D.DECISION_MARKED or
                                texts.normalize(response.text) != texts.PROSE):
                            raise AssertionError(f"a wrong answer: {response}")
                        counts.outcome(started, None)
                    except grpc.RpcError as error:
                        counts.outcome(started, error)
                        if error.code() in (grpc.StatusCode.UNAVAILABLE,
                                            grpc.StatusCode.CANCELLED):
                            refusals += 1
                            time.sleep(0.01)
            finally:
                channel.close()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.WORKERS)]
        for thread in threads:
            thread.start()
        h.wait_until(lambda: counts.snapshot()[1] >= 300, 60, "300 accepted calls before SIGTERM")

        counts.sigterm_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        # Health says NOT_SERVING at once, while calls are still served.
        h.wait_until(lambda: self.health(daemon) == health_pb2.HealthCheckResponse.NOT_SERVING,
                     5, "health NOT_SERVING after SIGTERM")
        daemon.wait_for_line(r"still serving for the drain delay \(2s\)", timeout=10)
        daemon.wait_for_line(r"refusing new calls", timeout=self.DRAIN_DELAY + 10)
        refusing_at = time.monotonic()
        self.assertGreaterEqual(refusing_at - counts.sigterm_at, self.DRAIN_DELAY - 0.2)

        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "a worker hung during the drain")
        sent, accepted, accepted_after_sigterm, refused, failed = counts.snapshot()

        # The server's own count of the calls it decided (the stream is
        # counted when it ends): each of them reached its client.
        served = h.metric_sum(daemon.metrics(), "hallmark_requests_total", space=SPACE)
        lost = int(served) - accepted
        sys.stderr.write(
            f"\ndrain figures: workers={self.WORKERS} drain_delay={self.DRAIN_DELAY}s "
            f"sent={sent} accepted={accepted} (of which sent after SIGTERM: "
            f"{accepted_after_sigterm}) refused={sum(refused.values())} {refused} "
            f"failed={len(failed)} lost={lost} (server counted {int(served)}); refusals seen: "
            f"{sorted(counts.refusal_details)}\n")
        self.assertEqual(failed, [])
        self.assertEqual(sent, accepted + sum(refused.values()))
        self.assertEqual(lost, 0, "calls the server decided that never reached their client")
        self.assertGreater(accepted_after_sigterm, 0, "nothing was served during the drain delay")
        self.assertIsNone(daemon.process.poll(), "hallmarkd exited with a stream in flight")

        # The stream carries on to its end.
        for word in words[len(words) // 2:]:
            stream.send(word)
        responses, error = stream.finish()
        self.assertIsNone(error, error and error.details())
        self.assertEqual(responses[-1].decision, D.DECISION_MARKED)
        self.assertEqual(texts.normalize(first.delta + "".join(r.delta for r in responses)),
                         texts.PROSE)
        self.assertEqual(daemon.wait_exit(30), 0, daemon.output())
        self.assertIn("stopped", daemon.output())

    def test_second_signal_cuts_the_drain_delay_short(self):
        daemon = self.start_drain_daemon("60s")
        daemon.send_signal(signal.SIGTERM)
        daemon.wait_for_line(r"still serving for the drain delay \(1m\)", timeout=10)
        # Still serving, though not ready.
        self.assertEqual(self.health(daemon), health_pb2.HealthCheckResponse.NOT_SERVING)
        self.assertEqual(self.mark(daemon, SPACE, texts.PROSE).decision, D.DECISION_MARKED)
        daemon.send_signal(signal.SIGINT)
        daemon.wait_for_line(r"second stop signal: cutting the drain delay short", timeout=10)
        self.assertEqual(daemon.wait_exit(20), 0, daemon.output())

    def test_sighup_during_the_drain_delay_still_reloads(self):
        daemon = self.start_drain_daemon("60s")
        daemon.send_signal(signal.SIGTERM)
        daemon.wait_for_line(r"still serving for the drain delay", timeout=10)
        start = daemon.line_count()
        daemon.send_signal(signal.SIGHUP)
        daemon.wait_for_line(r"INFO reloaded .*trigger=SIGHUP", timeout=10, start=start)
        daemon.send_signal(signal.SIGTERM)
        self.assertEqual(daemon.wait_exit(20), 0, daemon.output())


if __name__ == "__main__":
    unittest.main()
