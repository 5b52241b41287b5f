"""The public HTTP detection endpoint (issue 7): POST /v1/detect on its own
listener (--public_detect_address), driven with urllib (and curl when it is
installed) against the real hallmarkd.

Content is marked through gRPC, then checked over HTTP: the JSON must be the
gRPC Detect response field for field, never hold key material, and every
abuse limit (size, type, method, path, rate, drain) must answer its status
code with a JSON error, counted in hallmark_public_detect_requests_total.
"""
import base64
import binascii
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf import json_format

import hallmark_harness as h
from photos import convert, read
from hallmark_harness import hallmark_pb2 as D
import texts

KEY = "public-e2e-key"
SPACE = "e2e/public"
POLICY = f"""
default:
  mode: mark
spaces:
  {SPACE}: {{mode: mark}}
"""
READY_LINE = r"public detection on http://(?P<address>\S+)/v1/detect"
CURL = shutil.which("curl")
METRIC = "hallmark_public_detect_requests_total"




class Reply:
    """One HTTP answer: status, headers (lower-case names) and the body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return f"HTTP {self.status} {self.headers} {self.body[:300]!r}"


def request(base, body=None, content_type=None, method="POST", path="/v1/detect",
            headers=None):
    """Sends one request with urllib; returns a Reply whatever the status."""
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=body, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=h.RPC_TIMEOUT) as response:
            return Reply(response.status, response.getheaders(), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers.items(), error.read())


def public_base(daemon):
    """http://host:port of the daemon's public detection listener."""
    return "http://" + daemon.wait_for_line(READY_LINE).group("address")


def public_args(*extra):
    return ["--public_detect_address", "127.0.0.1:0"] + list(extra)


class PublicDetectTestBase(h.HallmarkTestCase):

    def assert_error(self, reply, status, code):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json; charset=utf-8")
        body = reply.json()
        self.assertEqual(set(body), {"error"}, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertTrue(body["error"]["message"], body)
        return body

    def counts(self, daemon):
        samples = daemon.metrics()
        return {s[1]["result"]: s[2] for s in h.select(samples, METRIC)}


class PublicDetectTest(PublicDetectTestBase):
    """One daemon with limits high enough that the functional tests never
    meet them."""

    @classmethod
    def setUpClass(cls):
        cls.daemon, _, keys = cls.start_class_daemon_with(
            POLICY, KEY,
            extra_args=public_args("--public_detect_rate", "1000", "--public_detect_burst",
                                   "1000", "--public_detect_global_rate", "1000",
                                   "--public_detect_global_burst", "1000"))
        with open(os.path.join(keys, KEY)) as f:
            cls.key_hex = f.read().strip()
        cls.base = public_base(cls.daemon)
        cls.jpeg = read("astronaut.jpg")

    # --- helpers

    def grpc_detect_json(self, **content):
        """The gRPC Detect answer for the same content, as the JSON the
        endpoint promises: proto field names, every field present."""
        response = self.daemon.stub().Detect(D.DetectRequest(**content), timeout=h.RPC_TIMEOUT)
        return json_format.MessageToDict(response, preserving_proto_field_name=True,
                                         including_default_value_fields=True)

    def assert_no_key_material(self, reply):
        key = binascii.unhexlify(self.key_hex)
        forms = {self.key_hex.lower(), self.key_hex.upper(),
                 base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode(),
                 base64.b64encode(key).decode().rstrip("="),
                 base64.urlsafe_b64encode(key).decode().rstrip("=")}
        text = reply.body.decode("utf-8")
        for form in forms:
            self.assertNotIn(form, text)
        # Nor any long piece of it (a prefix of the hex or base64 forms).
        for form in forms:
            self.assertNotIn(form[:16], text)

    def mark_text(self):
        response = self.mark(self.daemon, SPACE, texts.PROSE)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_MARKED")
        return response

    def mark_image(self, image):
        response = self.daemon.stub().MarkImage(D.MarkImageRequest(space=SPACE, image=image),
                                                timeout=h.RPC_TIMEOUT)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_MARKED")
        return response

    # --- detection

    def test_marked_text_is_verified_with_the_grpc_fields(self):
        marked = self.mark_text()
        reply = request(self.base, marked.text.encode("utf-8"), "text/plain; charset=utf-8")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json; charset=utf-8")
        self.assertEqual(reply.headers.get("cache-control"), "no-store")
        body = reply.json()
        self.assertIs(body["verified"], True)
        self.assertIs(body["detected"], True)
        self.assertEqual(body["payload_id"], marked.payload_id)
        self.assertEqual(body["key_id"], KEY)
        self.assertEqual(body["space"], SPACE)
        self.assertEqual(body["scheme"], "unicode")
        self.assertRegex(body["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:00:00Z$")
        self.assertEqual(body, self.grpc_detect_json(text=marked.text))
        self.assert_no_key_material(reply)

    def test_marked_jpeg_is_verified_with_the_grpc_fields(self):
        marked = self.mark_image(self.jpeg)
        reply = request(self.base, marked.image, "image/jpeg")
        self.assertEqual(reply.status, 200, reply)
        body = reply.json()
        self.assertIs(body["verified"], True)
        self.assertEqual(body["payload_id"], marked.payload_id)
        self.assertEqual(body["key_id"], KEY)
        self.assertEqual(body["scheme"], "canonical-grid")
        self.assertEqual(body["geometry"], "identity")
        self.assertLess(body["false_positive_probability"], 1e-8)
        self.assertEqual(body, self.grpc_detect_json(image=marked.image))
        self.assert_no_key_material(reply)

    def test_keys_publish_what_verifies_receipts_and_manifests(self):
        reply = request(self.base, method="GET", path="/v1/keys")
        self.assertEqual(reply.status, 200, reply)
        keys = reply.json()
        jwk = keys["receipt_keys"]["keys"][0]
        self.assertEqual((jwk["kty"], jwk["crv"]), ("OKP", "Ed25519"))
        self.assertNotIn("d", jwk)  # the private part
        # The published key verifies a receipt hallmarkd just issued (an
        # independent verifier: Python's cryptography).
        marked = self.mark_text()
        header, claims, signature = marked.receipt.split(".")
        unb64 = lambda part: base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        self.assertEqual(json.loads(unb64(header))["kid"], jwk["kid"])
        Ed25519PublicKey.from_public_bytes(unb64(jwk["x"])).verify(
            unb64(signature), f"{header}.{claims}".encode())
        # The C2PA signer: the chain's first certificate is the one in the
        # manifests (here the development chain, flagged as such).
        c2pa = keys["c2pa"]
        self.assertIs(c2pa["development"], True)
        self.assertEqual(len(c2pa["certificate_chain_pem"]), 2)
        leaf = x509.load_pem_x509_certificate(c2pa["certificate_chain_pem"][0].encode())
        self.assertIn("Hallmark development signer", leaf.subject.rfc4514_string())
        self.assertNotIn("PRIVATE", reply.body.decode())
        self.assert_no_key_material(reply)
        self.assertEqual(request(self.base, b"x", "text/plain", path="/v1/keys").status, 405)

    def test_marked_png_sniffed_as_octet_stream(self):
        marked = self.mark_image(convert(read("coffee.jpg"), "PNG"))
        for content_type in ("application/octet-stream", "image/png"):
            reply = request(self.base, marked.image, content_type)
            self.assertEqual(reply.status, 200, reply)
            self.assertIs(reply.json()["verified"], True, content_type)
            self.assertEqual(reply.json()["payload_id"], marked.payload_id)

    def test_unmarked_text_and_image_are_not_verified(self):
        reply = request(self.base, texts.PROSE.encode("utf-8"), "text/plain")
        self.assertEqual(reply.status, 200, reply)
        body = reply.json()
        self.assertIs(body["verified"], False)
        self.assertIs(body["detected"], False)
        self.assertEqual(body["key_id"], "")
        self.assertEqual(body, self.grpc_detect_json(text=texts.PROSE))
        reply = request(self.base, self.jpeg, "image/jpeg")
        self.assertEqual(reply.status, 200, reply)
        self.assertIs(reply.json()["verified"], False)

    @unittest.skipIf(CURL is None, "curl is not installed")
    def test_curl_as_documented(self):
        marked = self.mark_text()
        result = subprocess.run(
            [CURL, "-sS", "--fail-with-body", "-H", "Content-Type: text/plain; charset=utf-8",
             "--data-binary", "@-", self.base + "/v1/detect"],
            input=marked.text.encode("utf-8"), capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        body = json.loads(result.stdout)
        self.assertIs(body["verified"], True)
        self.assertEqual(body["payload_id"], marked.payload_id)

    # --- bad input

    def test_invalid_utf8_is_400(self):
        self.assert_error(request(self.base, b"caf\xc3 \xff\xfe", "text/plain; charset=utf-8"),
                          400, "invalid_argument")

    def test_undecodable_image_is_400(self):
        self.assert_error(request(self.base, b"\xff\xd8\xff\xe0 not really a jpeg" * 10,
                                  "image/jpeg"), 400, "invalid_argument")
        self.assert_error(request(self.base, read("truncated.jpg"), "image/jpeg"),
                          400, "invalid_argument")

    def test_empty_body_is_400(self):
        self.assert_error(request(self.base, b"", "text/plain"), 400, "invalid_argument")

    def test_query_parameters_are_400(self):
        self.assert_error(request(self.base, b"hello there", "text/plain",
                                  path="/v1/detect?space=x"), 400, "invalid_argument")

    def test_wrong_method_is_405(self):
        for method in ("GET", "PUT", "DELETE"):
            reply = request(self.base, None, method=method)
            self.assert_error(reply, 405, "method_not_allowed")
            self.assertEqual(reply.headers.get("allow"), "POST")

    def test_unknown_path_is_404(self):
        for path in ("/", "/v1/detect/", "/v1/mark", "/metrics", "/v1/detectx"):
            self.assert_error(request(self.base, b"x", "text/plain", path=path), 404,
                              "not_found")

    def test_unsupported_content_type_is_415(self):
        for content_type in (None, "application/json", "application/x-www-form-urlencoded",
                             "text/html", "text/plain; charset=latin-1", "image/gif"):
            self.assert_error(request(self.base, b"hello", content_type), 415,
                              "unsupported_media_type")

    def test_missing_length_is_411(self):
        host, port = self.base[len("http://"):].rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=h.RPC_TIMEOUT)
        try:
            connection.request("POST", "/v1/detect", body=iter([b"hello ", b"world"]),
                               headers={"Content-Type": "text/plain"}, encode_chunked=True)
            response = connection.getresponse()
            reply = Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()
        self.assert_error(reply, 411, "length_required")

    def test_outcomes_are_counted(self):
        before = self.counts(self.daemon)
        request(self.base, b"a short text", "text/plain")
        request(self.base, b"\xff", "text/plain")
        request(self.base, b"x", "text/csv")
        after = self.counts(self.daemon)
        self.assertEqual(after["ok"] - before["ok"], 1)
        self.assertEqual(after["bad_request"] - before["bad_request"], 1)
        self.assertEqual(after["unsupported"] - before["unsupported"], 1)
        self.assertEqual(set(after), {"ok", "bad_request", "too_large", "unsupported",
                                      "rate_limited", "unavailable", "error"})


class PublicDetectLimitsTest(PublicDetectTestBase):
    """A daemon per test, so that the buckets and counters start fresh."""

    def test_oversized_body_is_413_before_it_is_read(self):
        daemon = self.start_daemon(extra_args=public_args("--public_detect_max_bytes", "4096"))
        base = public_base(daemon)
        reply = request(base, b"a" * 4097, "text/plain")
        body = self.assert_error(reply, 413, "too_large")
        self.assertIn("4096", body["error"]["message"])
        # A body far larger than the socket buffers is refused too.
        self.assert_error(request(base, b"\0" * (4 << 20), "application/octet-stream"), 413,
                          "too_large")
        self.assertEqual(request(base, b"a b" * 1000, "text/plain").status, 200)
        if CURL is not None:
            # With Expect: 100-continue the body is never sent.
            result = subprocess.run(
                [CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_upload}",
                 "-H", "Expect: 100-continue", "-H", "Content-Type: image/png",
                 "--data-binary", "@-", base + "/v1/detect"],
                input=b"\0" * (1 << 20), capture_output=True, timeout=30)
            self.assertEqual(result.stdout.decode().split()[0], "413", result)
            self.assertEqual(result.stdout.decode().split()[1], "0", result)
        counts = self.counts(daemon)
        self.assertEqual(counts["too_large"], 3 if CURL is not None else 2)
        self.assertEqual(counts["ok"], 1)

    def test_hammering_gets_429_with_retry_after_and_counted(self):
        daemon = self.start_daemon(extra_args=public_args(
            "--public_detect_rate", "1", "--public_detect_burst", "3"))
        base = public_base(daemon)
        statuses = []
        for _ in range(40):
            reply = request(base, b"is this marked?", "text/plain")
            statuses.append(reply.status)
            if reply.status == 429:
                self.assert_error(reply, 429, "rate_limited")
                self.assertGreaterEqual(int(reply.headers["retry-after"]), 1)
            else:
                self.assertEqual(reply.status, 200, reply)
        limited = statuses.count(429)
        # 3 at once, then 1/s: most of 40 quick requests are refused.
        self.assertGreaterEqual(limited, 20, statuses)
        self.assertEqual(statuses[:3], [200, 200, 200])
        counts = self.counts(daemon)
        self.assertEqual(counts["rate_limited"], limited)
        self.assertEqual(counts["ok"], 40 - limited)

    def test_global_rate_bounds_all_clients(self):
        # Per-client limit off; the global bucket (burst 2) alone refuses.
        daemon = self.start_daemon(extra_args=public_args(
            "--public_detect_rate", "0", "--public_detect_global_rate", "0.1",
            "--public_detect_global_burst", "2"))
        base = public_base(daemon)
        statuses = [request(base, b"hello there", "text/plain").status for _ in range(6)]
        self.assertEqual(statuses[:2], [200, 200])
        self.assertEqual(statuses[2:], [429] * 4)
        self.assertEqual(self.counts(daemon)["rate_limited"], 4)

    def test_draining_answers_503_then_exits_0(self):
        daemon = self.start_daemon(extra_args=public_args() + ["--drain_delay", "10s"])
        base = public_base(daemon)
        self.assertEqual(request(base, b"hello there", "text/plain").status, 200)
        daemon.send_signal(signal.SIGTERM)
        reply = h.wait_until(
            lambda: (lambda r: r if r.status == 503 else None)(
                request(base, b"hello there", "text/plain")),
            10, "a 503 from the public endpoint while draining")
        self.assert_error(reply, 503, "unavailable")
        self.assertGreaterEqual(int(reply.headers["retry-after"]), 1)
        self.assertEqual(self.counts(daemon)["unavailable"], 1)
        daemon.send_signal(signal.SIGTERM)  # cuts the drain delay short
        self.assertEqual(daemon.wait_exit(), 0)

    def test_slow_clients_are_cut_off(self):
        daemon = self.start_daemon(extra_args=public_args(
            "--public_detect_timeout", "1s", "--public_detect_threads", "1"))
        base = public_base(daemon)
        host, port = base[len("http://"):].rsplit(":", 1)

        def read_answer(connection, timeout=10):
            connection.settimeout(timeout)
            answer = b""
            try:
                while chunk := connection.recv(4096):
                    answer += chunk
            except OSError:
                pass
            return answer

        headers = (b"POST /v1/detect HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: 200000\r\n\r\n")
        # Headers that never end: CivetWeb closes the connection.
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(b"POST /v1/detect HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            read_answer(slow)
            self.assertLess(time.monotonic() - started, 5)
        # A body that stalls: cut off after the timeout.
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(headers + b"a" * 1000)
            started = time.monotonic()
            answer = read_answer(slow)
            self.assertTrue(answer.startswith(b"HTTP/1.1 408 "), answer)
            self.assertLess(time.monotonic() - started, 5)
        # A body that keeps coming, too slowly (8 KiB/s for 200 kB): cut off
        # by the endpoint's deadline for the whole body.
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(headers)
            started = time.monotonic()
            slow.settimeout(0.25)
            answer = b""
            while time.monotonic() - started < 15 and not answer:
                try:
                    slow.sendall(b"a" * 2048)
                    answer = slow.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    break
            answer += read_answer(slow, timeout=3)
            self.assertTrue(answer.startswith(b"HTTP/1.1 408 "), answer)
            self.assertLess(time.monotonic() - started, 6)
        # The thread is free again; the two cut-offs with a JSON answer
        # count as bad requests.
        self.assertEqual(request(base, b"hello there", "text/plain").status, 200)
        self.assertEqual(self.counts(daemon)["bad_request"], 2)

    def test_disabled_by_default(self):
        daemon = self.start_daemon()
        self.assertNotIn("public detection on", daemon.output())
        self.assertEqual(h.select(daemon.metrics(), METRIC), [])

    def test_bad_address_stops_the_start(self):
        code, output = self.run_daemon_to_exit(
            ["--grpc_listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0",
             "--public_detect_address", "no-port-here"])
        self.assertEqual(code, 2, output)
        self.assertIn("public detect", output)
        # CivetWeb's own suffixes ("s" = TLS) and lists are not addresses here.
        for address in ("127.0.0.1:0s", "127.0.0.1:0,127.0.0.1:0"):
            code, output = self.run_daemon_to_exit(
                ["--grpc_listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0",
                 "--public_detect_address", address])
            self.assertEqual(code, 2, output)
            self.assertIn("is not host:port", output)


if __name__ == "__main__":
    unittest.main()
