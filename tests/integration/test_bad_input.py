"""The bad input matrix (PRODUCT §11): every request field that can be wrong
gets a precise gRPC status and a message naming the problem, and the daemon
carries on serving.

Requests that Python's protobuf cannot build (invalid UTF-8 in a `string`
field, malformed protobuf) are written as raw bytes, field by field, and
sent through a channel without serialization: what a C++ or hand-written
client can send."""
import os
import threading
import time
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2
import texts

D = hallmark_pb2
IA = grpc.StatusCode.INVALID_ARGUMENT

POLICY = """\
default:
  mode: mark
  text: { max_bytes: 65536 }
spaces:
  "bad/mark":    { mode: mark }
  "bad/enforce": { mode: enforce }
  "bad/small":   { mode: mark, text: { max_bytes: 64 } }
"""
MAX_MESSAGE_BYTES = 262144
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def wire(message_type, **fields):
    """A serialized `message_type` with length-delimited `fields` given as
    str (encoded as UTF-8) or bytes (sent as they are, valid UTF-8 or not)."""
    out = bytearray()
    for name, value in fields.items():
        number = message_type.DESCRIPTOR.fields_by_name[name].number
        data = value.encode("utf-8") if isinstance(value, str) else value
        out += varint(number << 3 | 2) + varint(len(data)) + data
    return bytes(out)


def read_test_image(name):
    with open(os.path.join(h.SOURCE_DIR, "tests", "data", "images", name), "rb") as f:
        return f.read()


# (name, rpc, serialized request, expected code, text the details must hold)
UNARY_ERRORS = [
    ("text_invalid_byte", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=b"hello \xff world"),
     IA, "text is not valid UTF-8: at byte 6: 0xff"),
    ("text_cut_off_character", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=b"caf\xc3"),
     IA, "text is not valid UTF-8: at byte 3: 0xc3 (a character cut off at the end)"),
    ("text_overlong_form", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=b"a\xc0\xafb"),
     IA, "text is not valid UTF-8: at byte 1: 0xc0 0xaf"),
    ("text_surrogate", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=b"ab\xed\xa0\x80"),
     IA, "text is not valid UTF-8: at byte 2: 0xed 0xa0 0x80"),
    ("space_invalid_utf8", "MarkText",
     wire(D.MarkTextRequest, space=b"bad/\xfe", text=texts.PROSE),
     IA, "space is not valid UTF-8: at byte 4"),
    ("request_id_invalid_utf8", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=texts.PROSE, request_id=b"r\x80"),
     IA, "request_id is not valid UTF-8"),
    ("model_invalid_utf8", "MarkText",
     wire(D.MarkTextRequest, space="bad/mark", text=texts.PROSE, model=b"\xf5m"),
     IA, "model is not valid UTF-8"),
    ("malformed_protobuf", "MarkText", b"\x12\x64abc",
     IA, "the request is not a valid hallmark.v1.MarkTextRequest (protobuf) message"),
    ("empty_space", "MarkText", wire(D.MarkTextRequest, text=texts.PROSE),
     IA, "space must not be empty"),
    ("space_too_long", "MarkText", wire(D.MarkTextRequest, space="s" * 300, text=texts.PROSE),
     IA, "space is 300 bytes; the limit is 256"),
    ("space_control_character", "MarkText",
     wire(D.MarkTextRequest, space="bad/\x01", text=texts.PROSE),
     IA, "space must not contain control characters"),
    ("text_over_space_max_bytes", "MarkText",
     wire(D.MarkTextRequest, space="bad/small", text="x " * 40),
     IA, "text is 80 bytes; the limit for this Space is 64 (policy text.max_bytes)"),
    ("empty_text_enforce", "MarkText", wire(D.MarkTextRequest, space="bad/enforce", text=""),
     grpc.StatusCode.FAILED_PRECONDITION, "the text has 0 carrier positions"),
    ("detect_text_invalid_utf8", "Detect", wire(D.DetectRequest, text=b"marked?\xff"),
     IA, "text is not valid UTF-8: at byte 7: 0xff"),
    ("detect_nothing", "Detect", b"", IA, "set text or image"),
    ("detect_text_over_default_max_bytes", "Detect", wire(D.DetectRequest, text="z" * 70000),
     IA, "text is 70000 bytes; the limit is 65536"),
    ("get_policy_invalid_utf8", "GetPolicy", wire(D.GetPolicyRequest, space=b"\xc3\x28"),
     IA, "space is not valid UTF-8: at byte 0: 0xc3 0x28"),
    ("get_policy_empty_space", "GetPolicy", b"", IA, "space must not be empty"),
    ("mark_image_format_invalid_utf8", "MarkImage",
     wire(D.MarkImageRequest, space="bad/mark", image=PNG_SIGNATURE, format=b"pn\xe7"),
     IA, "format is not valid UTF-8: at byte 2"),
    ("mark_image_malformed_protobuf", "MarkImage", b"\x0a\x05ab",
     IA, "not a valid hallmark.v1.MarkImageRequest"),
]

# Requests that look odd but are fine: (name, rpc, request message, check).
UNARY_OK = [
    ("empty_text_mark", "MarkText", D.MarkTextRequest(space="bad/mark", text=""),
     lambda t, r: (t.assertEqual(r.decision, D.DECISION_PASSED_THROUGH),
                   t.assertEqual(r.reason, D.REASON_TOO_SHORT), t.assertEqual(r.text, ""))),
    ("text_at_space_max_bytes", "MarkText", D.MarkTextRequest(space="bad/small", text="y" * 64),
     lambda t, r: t.assertEqual(r.text, "y" * 64)),
    ("every_utf8_width", "MarkText",
     D.MarkTextRequest(space="bad/mark", text="a é 中 😀 " + texts.PROSE),
     lambda t, r: (t.assertEqual(r.decision, D.DECISION_MARKED),
                   t.assertEqual(texts.normalize(r.text), "a é 中 😀 " + texts.PROSE))),
    # Spaces not named in the policy get its default: not an error.
    ("unknown_space", "MarkText", D.MarkTextRequest(space="never/heard-of", text=texts.PROSE),
     lambda t, r: t.assertEqual(r.decision, D.DECISION_MARKED)),
    ("unknown_space_policy", "GetPolicy", D.GetPolicyRequest(space="never/heard-of"),
     lambda t, r: (t.assertFalse(r.named), t.assertEqual(r.metrics_label, "other"))),
    ("detect_empty_text", "Detect", D.DetectRequest(text=""),
     lambda t, r: t.assertFalse(r.detected)),
]

# Image errors: the image pipeline's. Skipped while MarkImage answers
# UNIMPLEMENTED. (name, rpc, request message)
IMAGE_ERRORS = [
    ("mark_empty_image", "MarkImage", D.MarkImageRequest(space="bad/mark", image=b"")),
    ("mark_garbage_image", "MarkImage",
     D.MarkImageRequest(space="bad/mark", image=b"not an image at all" * 10)),
    ("mark_truncated_jpeg", "MarkImage",
     D.MarkImageRequest(space="bad/mark", image=read_test_image("truncated.jpg"))),
    ("mark_png_signature_only", "MarkImage",
     D.MarkImageRequest(space="bad/mark", image=PNG_SIGNATURE, format="png")),
    ("detect_garbage_image", "Detect", D.DetectRequest(image=b"\x00\x01\x02" * 50)),
]

RESPONSE_TYPES = {"MarkText": D.MarkTextResponse, "Detect": D.DetectResponse,
                  "GetPolicy": D.GetPolicyResponse, "MarkImage": D.MarkImageResponse}


class BadInputTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.daemon, _, _ = cls.start_class_daemon_with(
            POLICY, "k-bad", extra_args=["--max_message_bytes", str(MAX_MESSAGE_BYTES)])
        cls.channel = grpc.insecure_channel(cls.daemon.grpc_address)
        cls.addClassCleanup(cls.channel.close)

    def unary(self, rpc, serialized=True):
        """A callable for `rpc`: raw bytes in, or (serialized=False) messages in."""
        return self.channel.unary_unary(
            f"/hallmark.v1.Hallmark/{rpc}",
            request_serializer=None if serialized else (lambda m: m.SerializeToString()),
            response_deserializer=RESPONSE_TYPES[rpc].FromString)

    def raw_stream(self, requests, timeout=h.RPC_TIMEOUT):
        """MarkTextStream with raw requests: (responses, error or None)."""
        call = self.channel.stream_stream(
            "/hallmark.v1.Hallmark/MarkTextStream", request_serializer=None,
            response_deserializer=D.MarkTextStreamResponse.FromString)
        responses = []
        try:
            for response in call(iter(requests), timeout=timeout):
                responses.append(response)
        except grpc.RpcError as error:
            return responses, error
        return responses, None

    def invalid_counts(self):
        samples = self.daemon.metrics()
        return {rpc: h.metric_sum(samples, "hallmark_invalid_requests_total", rpc=rpc)
                for rpc in ("MarkText", "MarkTextStream", "Detect", "GetPolicy", "MarkImage")}

    def assert_still_serving(self):
        response = self.unary("MarkText", serialized=False)(
            D.MarkTextRequest(space="bad/mark", text=texts.PROSE), timeout=h.RPC_TIMEOUT)
        self.assertEqual(response.decision, D.DECISION_MARKED)
        self.assertIsNone(self.daemon.process.poll(), "hallmarkd exited")

    def test_unary_errors(self):
        before = self.invalid_counts()
        expected_invalid = {}
        for name, rpc, request, code, detail in UNARY_ERRORS:
            with self.subTest(name):
                error = self.assert_rpc_error(code, self.unary(rpc), request,
                                              timeout=h.RPC_TIMEOUT)
                self.assertIn(detail, error.details())
                if code == IA:
                    expected_invalid[rpc] = expected_invalid.get(rpc, 0) + 1
        # Each INVALID_ARGUMENT is counted once, under its RPC.
        after = self.invalid_counts()
        for rpc, count in expected_invalid.items():
            self.assertEqual(after[rpc] - before[rpc], count, rpc)
        self.assert_still_serving()

    # Refused by gRPC before any request is parsed. (Not in the tables
    # above, which count INVALID_ARGUMENT exactly: gRPC ends such a call on
    # its own, and hallmarkd's handler, which reads the request, may or may
    # not see that before it counts a request that never came.)
    def test_message_over_max_message_bytes(self):
        text = "y" * (MAX_MESSAGE_BYTES + 10)
        request = wire(D.MarkTextRequest, space="bad/mark", text=text)
        error = self.assert_rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, self.unary("MarkText"),
                                      request, timeout=h.RPC_TIMEOUT)
        self.assertIn(f"Received message larger than max ({len(request)} vs. "
                      f"{MAX_MESSAGE_BYTES})", error.details())
        responses, error = self.raw_stream(
            [self.stream_request(space="bad/mark", delta="first "),
             self.stream_request(delta=text)])
        self.assertIsNotNone(error)
        self.assertEqual(error.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, error.details())
        self.assertIn(str(MAX_MESSAGE_BYTES), error.details())
        self.assertFalse(any(r.final for r in responses))
        self.assert_still_serving()

    def test_blocked_empty_text_says_why_in_metadata(self):
        error = self.assert_rpc_error(
            grpc.StatusCode.FAILED_PRECONDITION, self.unary("MarkText"),
            wire(D.MarkTextRequest, space="bad/enforce", text=""), timeout=h.RPC_TIMEOUT)
        metadata = h.trailing_metadata(error)
        self.assertEqual(metadata.get("hallmark-decision"), "DECISION_BLOCKED")
        self.assertEqual(metadata.get("hallmark-reason"), "REASON_TOO_SHORT")

    def test_unary_oddities_that_are_fine(self):
        for name, rpc, request, check in UNARY_OK:
            with self.subTest(name):
                response = self.unary(rpc, serialized=False)(request, timeout=h.RPC_TIMEOUT)
                check(self, response)

    def test_image_errors(self):
        for name, rpc, request in IMAGE_ERRORS:
            with self.subTest(name):
                try:
                    self.unary(rpc, serialized=False)(request, timeout=h.RPC_TIMEOUT)
                except grpc.RpcError as error:
                    if error.code() == grpc.StatusCode.UNIMPLEMENTED:
                        self.skipTest(f"{rpc} answers UNIMPLEMENTED: {error.details()}")
                    self.assertEqual(error.code(), IA, error.details())
                    self.assertTrue(error.details(), "an error without a message")
                else:
                    self.fail(f"{name}: {rpc} accepted a bad image")
        self.assert_still_serving()

    # --- MarkTextStream

    def stream_request(self, **fields):
        return wire(D.MarkTextStreamRequest, **fields)

    def test_stream_errors(self):
        small_words = ["word "] * 20  # 100 bytes in 5-byte deltas, over 64
        cases = [
            ("first_message_without_space", [self.stream_request(delta="hello")],
             IA, "space must not be empty"),
            ("closed_before_first_message", [],
             IA, "the stream closed before its first request"),
            ("space_invalid_utf8", [self.stream_request(space=b"bad/\xff", delta="hi")],
             IA, "request 1 of the stream: space is not valid UTF-8: at byte 4"),
            ("delta_invalid_utf8", [self.stream_request(space="bad/mark", delta="one "),
                                    self.stream_request(delta="two "),
                                    self.stream_request(delta=b"thr\xe9e ")],
             IA, "request 3 of the stream: delta is not valid UTF-8: at byte 3: 0xe9"),
            ("delta_cut_inside_a_character", [self.stream_request(space="bad/mark", delta="caf"),
                                              self.stream_request(delta=b"\xc3"),
                                              self.stream_request(delta=b"\xa9")],
             IA, "request 2 of the stream: delta is not valid UTF-8: at byte 0: 0xc3 "
                 "(a character cut off at the end)"),
            ("malformed_message", [self.stream_request(space="bad/mark", delta="one "),
                                   b"\x22\x64abc"],
             IA, "request 2 of the stream: the request is not a valid "
                 "hallmark.v1.MarkTextStreamRequest (protobuf) message"),
            ("one_chunk_over_max_bytes", [self.stream_request(space="bad/small", delta="x" * 65)],
             IA, "the stream has sent 65 bytes; the limit for this Space is 64"),
            ("growing_past_max_bytes",
             [self.stream_request(space="bad/small", delta=small_words[0])] +
             [self.stream_request(delta=w) for w in small_words[1:]],
             IA, "the stream has sent 65 bytes; the limit for this Space is 64"),
            ("half_closed_enforce_after_space_only", [self.stream_request(space="bad/enforce")],
             grpc.StatusCode.FAILED_PRECONDITION, "the streamed text has 0 carrier positions"),
        ]
        before = self.invalid_counts()
        expected_invalid = 0
        for name, requests, code, detail in cases:
            with self.subTest(name):
                responses, error = self.raw_stream(requests)
                self.assertIsNotNone(error, f"{name}: the stream succeeded: {responses}")
                self.assertEqual(error.code(), code, error.details())
                self.assertIn(detail, error.details())
                self.assertFalse(any(r.final for r in responses), "a final response was sent")
                expected_invalid += code == IA
        after = self.invalid_counts()
        self.assertEqual(after["MarkTextStream"] - before["MarkTextStream"], expected_invalid)
        self.assert_still_serving()

    def test_stream_half_closed_after_space_only(self):
        # No text at all: in mode mark, the empty text is released unmarked.
        responses, error = self.raw_stream([self.stream_request(space="bad/mark")])
        self.assertIsNone(error, error and error.details())
        self.assertEqual(len(responses), 1)
        self.assertTrue(responses[0].final)
        self.assertEqual(responses[0].delta, "")
        self.assertEqual(responses[0].decision, D.DECISION_PASSED_THROUGH)
        self.assertEqual(responses[0].reason, D.REASON_TOO_SHORT)

    def test_never_ending_stream_is_bounded_by_the_caller_deadline(self):
        # A stream that sends its first delta and then nothing, never
        # half-closing: the caller's deadline ends it, and the server lets go.
        stop = threading.Event()
        self.addCleanup(stop.set)

        def requests():
            yield self.stream_request(space="bad/mark", delta="the start of a text ")
            stop.wait(60)

        responses, error = self.raw_stream(requests(), timeout=1.5)
        self.assertIsNotNone(error)
        self.assertEqual(error.code(), grpc.StatusCode.DEADLINE_EXCEEDED, error.details())
        stop.set()
        h.wait_until(
            lambda: h.metric_sum(self.daemon.metrics(), "hallmark_in_flight_requests",
                                 modality="text") == 0,
            10, "the stream to leave hallmark_in_flight_requests")
        self.assert_still_serving()

    def test_cancelled_stream_lets_go(self):
        stream = h.BidiStream(h.hallmark_pb2_grpc.HallmarkStub(self.channel))
        stream.send("the start of a text ", space="bad/off-by-default")
        h.wait_until(
            lambda: h.metric_sum(self.daemon.metrics(), "hallmark_in_flight_requests",
                                 modality="text") >= 1, 10, "the stream to be in flight")
        stream.cancel()
        kind, value = stream.next_event()
        self.assertEqual(kind, "error")
        self.assertEqual(value.code(), grpc.StatusCode.CANCELLED)
        h.wait_until(
            lambda: h.metric_sum(self.daemon.metrics(), "hallmark_in_flight_requests",
                                 modality="text") == 0,
            10, "the cancelled stream to leave hallmark_in_flight_requests")
        self.assert_still_serving()


class IdleStreamTest(h.HallmarkTestCase):
    """Streaming abuse: a client that opens MarkTextStream and goes silent
    is cut off after --stream_idle_timeout; one that keeps talking is not."""

    def test_silent_stream_is_cancelled_and_counted(self):
        daemon = self.start_daemon(extra_args=("--stream_idle_timeout=2s",))
        talking = h.BidiStream(daemon.stub())
        silent = h.BidiStream(daemon.stub())
        silent.send("Once upon a time ", space="idle/test")
        talking.send("Once upon a time ", space="idle/test")
        # The talking stream sends a delta every 0.2 s for 4.8 s (over twice
        # the limit) while the silent one waits; only the silent one ends.
        for _ in range(24):
            time.sleep(0.2)
            talking.send("and then ")
        events = silent.pending()
        if not events or events[-1][0] == "response":
            events.append(silent.next_event(timeout=10, what="the idle cut"))
        kind, error = events[-1]
        self.assertEqual(kind, "error", events)
        self.assertEqual(error.code(), grpc.StatusCode.CANCELLED, error)
        responses, talking_error = talking.finish()
        self.assertIsNone(talking_error)
        self.assertTrue(responses[-1].final)
        self.assertEqual(h.metric_sum(daemon.metrics(), "hallmark_stream_idle_timeouts_total"), 1)


if __name__ == "__main__":
    unittest.main()
