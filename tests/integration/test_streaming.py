"""End-to-end tests of MarkTextStream: chunking, hold-back, modes, errors."""
import random
import re
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2
import texts

D = hallmark_pb2

POLICY = """\
default:
  mode: mark
  budget_ms: 1000
spaces:
  "s/off":     { mode: off }
  "s/shadow":  { mode: shadow }
  "s/mark":    { mode: mark }
  "s/enforce": { mode: enforce }
  "s/small":   { mode: off, text: { max_bytes: 100 } }
"""

HEX14 = re.compile(r"^[0-9a-f]{14}$")


def random_chunks(text, seed, smallest=1, largest=30):
    rng = random.Random(seed)
    chunks = []
    pos = 0
    while pos < len(text):
        size = rng.randint(smallest, largest)
        chunks.append(text[pos:pos + size])
        pos += size
    return chunks


def words_of(text):
    """Deltas of one word each, with the whitespace that follows it."""
    return re.findall(r"\S+\s*", text)


class StreamingTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        cls.daemon, _, _ = cls.start_class_daemon_with(POLICY, "stream-key")

    def stream(self):
        stream = h.BidiStream(self.daemon.stub())
        self.addCleanup(stream.cancel)
        return stream

    def run_stream(self, space, chunks):
        """Sends all chunks, then reads everything: (responses, error)."""
        stream = self.stream()
        for i, chunk in enumerate(chunks):
            stream.send(chunk, space=space if i == 0 else None)
        if not chunks:
            stream.send("", space=space)
        return stream.finish()

    def check_responses(self, responses):
        self.assertTrue(responses, "no response at all")
        for response in responses[:-1]:
            self.assertFalse(response.final, "final before the end")
            self.assertTrue(response.delta, "a non-final response without text")
        final = responses[-1]
        self.assertTrue(final.final, "the last response must be final")
        return final, "".join(r.delta for r in responses)

    # --- mark mode

    def test_random_chunkings_mark(self):
        for seed in (1, 2, 3, 4, 5, 6):
            with self.subTest(seed=seed):
                chunks = random_chunks(texts.MARKDOWN, seed)
                responses, error = self.run_stream("s/mark", chunks)
                self.assertIsNone(error, error and error.details())
                final, output = self.check_responses(responses)
                self.assertEqual(final.decision, D.DECISION_MARKED)
                self.assertEqual(final.reason, D.REASON_UNSPECIFIED)
                self.assertRegex(final.payload_id, HEX14)
                self.assertEqual(final.key_id, "stream-key")
                self.assertEqual(final.scheme, "unicode")
                self.assertGreaterEqual(final.carriers, final.carriers_needed)
                self.assertGreaterEqual(final.server_micros, 0)
                self.assertNotEqual(output, texts.MARKDOWN)
                self.assertEqual(texts.normalize(output), texts.MARKDOWN)
                found = self.detect(self.daemon, output)
                self.assertTrue(found.verified)
                self.assertEqual(found.payload_id, final.payload_id)
                self.assertEqual(found.space, "s/mark")

    def test_stream_has_the_carriers_of_mark_text(self):
        # The stream and MarkText see the same carriers in the same text (the
        # symbols differ: each call has its own payload).
        responses, error = self.run_stream("s/mark", random_chunks(texts.MARKDOWN, 99))
        self.assertIsNone(error, error and error.details())
        final, _ = self.check_responses(responses)
        unary = self.mark(self.daemon, "s/mark", texts.MARKDOWN)
        self.assertEqual(final.carriers, unary.carriers)
        self.assertEqual(final.carriers_needed, unary.carriers_needed)

    def test_short_stream_mark_passes_through(self):
        responses, error = self.run_stream("s/mark", random_chunks(texts.SHORT, 7, 1, 10))
        self.assertIsNone(error, error and error.details())
        final, output = self.check_responses(responses)
        self.assertEqual(final.decision, D.DECISION_PASSED_THROUGH)
        self.assertEqual(final.reason, D.REASON_TOO_SHORT)
        self.assertEqual(final.payload_id, "")
        self.assertEqual(output, texts.SHORT)
        self.assertLess(final.carriers, final.carriers_needed)

    def test_short_stream_enforce_is_blocked_and_withheld(self):
        responses, error = self.run_stream("s/enforce", random_chunks(texts.SHORT, 8, 1, 10))
        self.assertIsNotNone(error, "a too-short stream in enforce mode must fail")
        self.assertEqual(error.code(), grpc.StatusCode.FAILED_PRECONDITION, error.details())
        metadata = h.trailing_metadata(error)
        self.assertEqual(metadata.get("hallmark-decision"), "DECISION_BLOCKED", metadata)
        self.assertEqual(metadata.get("hallmark-reason"), "REASON_TOO_SHORT", metadata)
        self.assertEqual([r.delta for r in responses], [],
                         "no text may be released before the BLOCKED error")

    def test_long_stream_enforce_is_marked(self):
        responses, error = self.run_stream("s/enforce", random_chunks(texts.PROSE, 11))
        self.assertIsNone(error, error and error.details())
        final, output = self.check_responses(responses)
        self.assertEqual(final.decision, D.DECISION_MARKED)
        self.assertEqual(texts.normalize(output), texts.PROSE)
        self.assertTrue(self.detect(self.daemon, output).verified)

    def test_hold_back_is_bounded(self):
        """Nothing is released before the text can carry the mark; after that
        each word's reply arrives lock-step, lagging at most one word."""
        words = words_of(texts.PROSE)
        stream = self.stream()
        sent = ""
        lead = 130  # words sent before lock-step: well past 79 carriers
        for i, word in enumerate(words[:lead]):
            stream.send(word, space="s/mark" if i == 0 else None)
            sent += word
        released = ""
        first = None
        # Wait until the backlog is released (all but at most one word).
        while len(texts.normalize(released).split()) < lead - 1:
            kind, value = stream.next_event(what="the release of the first words")
            self.assertEqual(kind, "response", value)
            self.assertFalse(value.final)
            if first is None:
                first = value.delta
            released += value.delta
        self.assertGreaterEqual(len(texts.normalize(first).split()), 80,
                                "text was released before it could carry a whole mark")
        for word in words[lead:]:
            stream.send(word)
            sent += word
            kind, value = stream.next_event(what=f"the reply to the delta {word!r}")
            self.assertEqual(kind, "response", value)
            self.assertFalse(value.final)
            self.assertTrue(value.delta)
            released += value.delta
            plain = texts.normalize(released)
            self.assertEqual(plain, sent[:len(plain)], "released text must be a prefix")
            held = sent[len(plain):]
            self.assertLessEqual(len(held.split()), 1,
                                 f"more than one word held back: {held!r}")
        responses, error = stream.finish()
        self.assertIsNone(error, error and error.details())
        final, rest = self.check_responses(responses)
        self.assertEqual(final.decision, D.DECISION_MARKED)
        self.assertEqual(texts.normalize(released + rest), texts.PROSE)
        self.assertTrue(self.detect(self.daemon, released + rest).verified)

    # --- off and shadow: every delta goes straight back

    def lock_step_passthrough(self, space):
        stream = self.stream()
        output = ""
        for i, word in enumerate(words_of(texts.PROSE)):
            stream.send(word, space=space if i == 0 else None)
            kind, value = stream.next_event(what=f"the echo of {word!r}")
            self.assertEqual(kind, "response", value)
            self.assertEqual(value.delta, word, "the delta must come back at once, unchanged")
            self.assertFalse(value.final)
            output += value.delta
        responses, error = stream.finish()
        self.assertIsNone(error, error and error.details())
        final, rest = self.check_responses(responses)
        self.assertEqual(output + rest, texts.PROSE)
        return final

    def test_off_releases_each_delta_immediately(self):
        final = self.lock_step_passthrough("s/off")
        self.assertEqual(final.decision, D.DECISION_PASSED_THROUGH)
        self.assertEqual(final.reason, D.REASON_MODE_OFF)
        self.assertEqual(final.payload_id, "")
        self.assertEqual(final.delta, "")

    def test_shadow_releases_each_delta_immediately(self):
        final = self.lock_step_passthrough("s/shadow")
        self.assertEqual(final.decision, D.DECISION_SHADOWED)
        self.assertEqual(final.reason, D.REASON_UNSPECIFIED)
        self.assertRegex(final.payload_id, HEX14, "shadow computes the mark")
        self.assertEqual(final.delta, "")

    def test_short_stream_shadow(self):
        responses, error = self.run_stream("s/shadow", [texts.SHORT])
        self.assertIsNone(error, error and error.details())
        final, output = self.check_responses(responses)
        self.assertEqual(output, texts.SHORT)
        self.assertEqual(final.decision, D.DECISION_SHADOWED)
        self.assertEqual(final.reason, D.REASON_TOO_SHORT)

    # --- errors

    def test_first_request_without_space(self):
        responses, error = self.run_stream("", ["some text"])
        self.assertIsNotNone(error)
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT, error.details())
        self.assertEqual(responses, [])

    def test_stream_closed_without_request(self):
        stream = self.stream()
        responses, error = stream.finish()
        self.assertIsNotNone(error)
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT, error.details())
        self.assertEqual(responses, [])

    def test_stream_over_max_bytes(self):
        stream = self.stream()
        stream.send("x" * 60 + " ", space="s/small")
        kind, value = stream.next_event(what="the echo of the first delta (mode off)")
        self.assertEqual(kind, "response", value)
        stream.send("y" * 60 + " ")  # 122 bytes in all > 100
        responses, error = stream.finish()
        self.assertIsNotNone(error, "a stream past text.max_bytes must fail")
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT, error.details())
        self.assertIn("max_bytes", error.details())
        self.assertEqual(responses, [])

    def test_empty_stream_with_space(self):
        responses, error = self.run_stream("s/mark", [])
        self.assertIsNone(error, error and error.details())
        final, output = self.check_responses(responses)
        self.assertEqual(output, "")
        self.assertEqual(final.decision, D.DECISION_PASSED_THROUGH)
        self.assertEqual(final.reason, D.REASON_TOO_SHORT)


class StreamMetricsTest(h.HallmarkTestCase):
    """Streams are counted like MarkText calls, once each, at their end."""

    def test_streams_are_counted(self):
        policy = self.write_file(self.temp_dir(), "policy.yaml", POLICY)
        daemon = self.start_daemon(policy=policy)

        def run(space, text):
            stream = h.BidiStream(daemon.stub())
            self.addCleanup(stream.cancel)
            for i, chunk in enumerate(random_chunks(text, 5)):
                stream.send(chunk, space=space if i == 0 else None)
            return stream.finish()

        self.assertIsNone(run("s/mark", texts.PROSE)[1])
        self.assertIsNone(run("s/mark", texts.SHORT)[1])
        self.assertIsNotNone(run("s/enforce", texts.SHORT)[1])
        self.assertIsNone(run("s/off", texts.PROSE)[1])
        self.assertIsNone(run("unnamed/space", texts.PROSE)[1])
        # A stream the client abandons half-way has no decision to count.
        abandoned = h.BidiStream(daemon.stub())
        abandoned.send(texts.PROSE[:500], space="s/mark")
        abandoned.cancel()

        def counts():
            samples = daemon.metrics()
            return ({(l["space"], l["decision"], l["reason"]): v for _, l, v
                     in h.select(samples, "hallmark_requests_total") if v},
                    h.metric_sum(samples, "hallmark_in_flight_requests", modality="text"),
                    h.metric_sum(samples, "hallmark_added_latency_seconds_count",
                                 modality="text"))
        # The abandoned stream ends on the server a moment after the cancel.
        h.wait_until(lambda: counts()[1] == 0, 10, "no request in flight")
        requests, _, latency_count = counts()
        self.assertEqual(requests, {
            ("s/mark", "marked", "none"): 1,
            ("s/mark", "passed_through", "too_short"): 1,
            ("s/enforce", "blocked", "too_short"): 1,
            ("s/off", "passed_through", "mode_off"): 1,
            ("other", "marked", "none"): 1,
        })
        self.assertEqual(latency_count, 5)


if __name__ == "__main__":
    unittest.main()
