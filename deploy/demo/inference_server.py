#!/usr/bin/env python3
"""Hallmark's demo inference server: "generates" text and images and has
every output marked by hallmarkd before it answers.

It stands in for a real model server in the deployment demos (compose,
Kubernetes, plain processes). Python 3 standard library plus Debian's
python3-grpcio and python3-protobuf; the hallmark.v1 stubs are generated
with protoc (see deploy/demo/Dockerfile or deploy/local/run-local.sh).

The "model" is tiny and built in: a word-bigram chain over a few paragraphs
for text, and procedural PNG pictures (interference patterns) for images,
both seeded by the prompt. What matters is what happens next:

- every output goes through hallmarkd (MarkText / MarkImage) with the Space
  named in the request, over the sidecar's unix socket (or TCP);
- the decision is honoured: MARKED content is released marked; SHADOWED and
  PASSED_THROUGH release what the sidecar returned (the original); BLOCKED
  (enforce mode could not mark) is never released: HTTP 403;
- if the sidecar cannot be asked (unreachable, UNIMPLEMENTED, ...), content
  of a Space whose mode is `enforce` (or unknown) is withheld (HTTP 503),
  any other Space gets its content unmarked, and the answer says so.

Endpoints:
  GET  /                      help
  GET  /healthz               liveness (this process)
  GET  /readyz                readiness: hallmarkd answers GetPolicy
  GET|POST /v1/text           ?space=demo/chat&prompt=...&words=120  -> JSON
  GET  /v1/image              ?space=demo/images&prompt=...&size=256 -> image/png,
                              decision in X-Hallmark-* headers (&as=json: JSON + base64)
  POST /v1/detect             body: text (or ?kind=image, body: image bytes) -> JSON
  GET  /stats                 counters of what this server did (JSON)

Usage:
  inference_server.py [--listen 127.0.0.1:8080] [--sidecar unix:/run/hallmark/hallmark.sock]
                      [--stubs DIR] [--deadline_ms 1000]
"""
import argparse
import base64
import hashlib
import json
import os
import random
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_NAME = "tiny-bigram-1"
IMAGE_MODEL_NAME = "tiny-interference-1"

# --- the tiny text model -----------------------------------------------------

CORPUS = """
The lighthouse keeper woke before the gulls and climbed the spiral stair to
trim the lamp. Fog had rolled in from the north during the night and the sea
below was grey and quiet. He wrote the hour and the weather in the log, then
watched the fishing boats leave the harbour one by one. Each boat carried a
lantern at the bow and a name painted by hand along the side. The keeper knew
every name and every skipper, and he counted them out and counted them home.
In the afternoon the fog lifted and the light came back to the water. A
supply ship arrived with flour, oil, letters and a crate of books. The keeper
read the letters first, slowly, and kept the books for the long evenings of
winter. At dusk he lit the lamp again and the beam swept across the bay,
steady and patient, the way it had for a hundred years. Somewhere out beyond
the rocks a small boat turned toward the light and began the long way home.
Generative models write text like this one word at a time, choosing each word
from what came before. A watermark hides a signal in the output so that the
platform can later say which of its models produced it, and when, without
changing what a reader sees on the page.
"""


class TinyTextModel:
    """A word-bigram chain: deterministic for a given prompt and length."""

    def __init__(self, corpus=CORPUS):
        words = corpus.split()
        self.starts = [w for i, w in enumerate(words) if i == 0 or words[i - 1].endswith(".")]
        self.next = {}
        for a, b in zip(words, words[1:]):
            self.next.setdefault(a, []).append(b)

    def generate(self, prompt, words):
        rng = random.Random(hashlib.sha256(prompt.encode("utf-8")).digest())
        out = [rng.choice(self.starts)]
        while len(out) < words:
            choices = self.next.get(out[-1]) or self.starts
            out.append(rng.choice(choices))
        text = " ".join(out)
        return text if text.endswith(".") else text.rstrip(",") + "."


# --- the tiny image model ----------------------------------------------------


def png_bytes(width, height, rows):
    """Encodes 8-bit RGB rows (bytes of width*3) as a PNG (zlib, no filters)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def generate_image(prompt, size):
    """A smooth procedural picture (two interfering waves and a gradient),
    the kind of content a frequency-domain watermark is made for."""
    seed = hashlib.sha256(prompt.encode("utf-8")).digest()
    fx1, fy1, fx2, fy2 = (1 + b % 7 for b in seed[:4])
    hue = [seed[4], seed[5], seed[6]]
    import math
    # Lookup tables keep this pure-Python loop fast enough (256x256 in ~0.1 s).
    sx1 = [math.sin(2 * math.pi * fx1 * x / size) for x in range(size)]
    sx2 = [math.cos(2 * math.pi * fx2 * x / size) for x in range(size)]
    rows = []
    for y in range(size):
        sy1 = math.cos(2 * math.pi * fy1 * y / size)
        sy2 = math.sin(2 * math.pi * fy2 * y / size)
        gy = y / size
        row = bytearray(size * 3)
        for x in range(size):
            v = 0.25 * (sx1[x] + sy1) + 0.25 * (sx2[x] * sy2)  # in [-0.75, 0.75]
            t = 0.5 + 0.6 * v
            row[3 * x] = int(max(0, min(255, hue[0] * 0.4 + 140 * t + 40 * gy)))
            row[3 * x + 1] = int(max(0, min(255, hue[1] * 0.3 + 120 * t + 60 * (x / size))))
            row[3 * x + 2] = int(max(0, min(255, hue[2] * 0.4 + 150 * (1 - t))))
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


# --- the sidecar client ------------------------------------------------------


class Sidecar:
    """hallmarkd over gRPC. Thread-safe (grpc channels and stubs are)."""

    POLICY_TTL = 30.0

    def __init__(self, address, stubs_dir, deadline_s):
        sys.path.insert(0, stubs_dir)
        import grpc  # noqa: E402  (Debian's python3-grpcio)
        from hallmark.v1 import hallmark_pb2, hallmark_pb2_grpc  # noqa: E402
        from hallmark.v1 import config_pb2  # noqa: E402
        self.grpc, self.pb, self.config_pb = grpc, hallmark_pb2, config_pb2
        self.address = address
        self.deadline_s = deadline_s
        self.channel = grpc.insecure_channel(address)
        self.stub = hallmark_pb2_grpc.HallmarkStub(self.channel)
        self._modes = {}  # space -> (mode name, fetched at)
        self._lock = threading.Lock()

    def decision_name(self, value):
        return self.pb.Decision.Name(value)

    def reason_name(self, value):
        return self.pb.Reason.Name(value)

    def mode_of(self, space):
        """The Space's mode ('MODE_ENFORCE', ...), cached; None if unknown."""
        now = time.monotonic()
        with self._lock:
            cached = self._modes.get(space)
            if cached and now - cached[1] < self.POLICY_TTL:
                return cached[0]
        try:
            response = self.stub.GetPolicy(self.pb.GetPolicyRequest(space=space), timeout=1.0)
            mode = self.config_pb.Mode.Name(response.policy.mode)
        except self.grpc.RpcError:
            return cached[0] if cached else None
        with self._lock:
            self._modes[space] = (mode, now)
        return mode

    def ready(self):
        try:
            self.stub.GetPolicy(self.pb.GetPolicyRequest(space="demo/readiness"), timeout=1.0)
            return True, ""
        except self.grpc.RpcError as error:
            return False, f"{error.code().name}: {error.details()}"

    def mark(self, kind, space, content, request_id, model):
        """Asks hallmarkd to mark `content`. Returns (release, info): the
        content to release (None: withhold) and what to tell the caller."""
        try:
            if kind == "text":
                response = self.stub.MarkText(
                    self.pb.MarkTextRequest(space=space, text=content, request_id=request_id,
                                            model=model), timeout=self.deadline_s)
                released = response.text
            else:
                response = self.stub.MarkImage(
                    self.pb.MarkImageRequest(space=space, image=content, format="png",
                                             request_id=request_id, model=model),
                    timeout=self.deadline_s)
                released = response.image or content
            info = {
                "decision": self.decision_name(response.decision),
                "reason": self.reason_name(response.reason),
                "payload_id": response.payload_id,
                "key_id": response.key_id,
                "scheme": response.scheme,
                "server_micros": response.server_micros,
                "released": True,
            }
            if kind == "image":
                info["psnr_db"] = response.psnr_db
            return released, info
        except self.grpc.RpcError as error:
            trailers = dict(error.trailing_metadata() or ())
            code = error.code().name
            if trailers.get("hallmark-decision") == "DECISION_BLOCKED":
                # Enforce mode could not mark: never release.
                return None, {"decision": "DECISION_BLOCKED",
                              "reason": trailers.get("hallmark-reason", "REASON_UNSPECIFIED"),
                              "released": False, "http_status": 403,
                              "sidecar_error": f"{code}: {error.details()}"}
            # No decision from the sidecar: fail closed where the Space
            # enforces (or its mode is unknown), open elsewhere.
            mode = self.mode_of(space)
            info = {"decision": "NONE", "reason": "SIDECAR_ERROR", "mode": mode or "unknown",
                    "sidecar_error": f"{code}: {error.details()}"}
            if mode in (None, "MODE_ENFORCE"):
                info.update(released=False, http_status=503)
                return None, info
            info["released"] = True
            return content, info

    def detect(self, kind, content):
        request = (self.pb.DetectRequest(text=content) if kind == "text"
                   else self.pb.DetectRequest(image=content))
        response = self.stub.Detect(request, timeout=self.deadline_s)
        return {
            "detected": response.detected,
            "verified": response.verified,
            "payload_id": response.payload_id,
            "key_id": response.key_id,
            "space": response.space,
            "space_tag": response.space_tag,
            "timestamp": response.timestamp.ToJsonString() if response.HasField("timestamp") else "",
            "false_positive_probability": response.false_positive_probability,
            "scheme": response.scheme,
        }


# --- HTTP --------------------------------------------------------------------


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.counts = {}

    def add(self, *keys):
        with self._lock:
            for key in keys:
                self.counts[key] = self.counts.get(key, 0) + 1

    def snapshot(self):
        with self._lock:
            return dict(sorted(self.counts.items()))


HELP = """Hallmark demo inference server (model: {model}; sidecar: {sidecar})

  curl 'http://HOST/v1/text?space=demo/assistant&prompt=hello'
  curl 'http://HOST/v1/text?space=demo/chat&prompt=hi&words=5'      # enforce + too short: withheld (403)
  curl -o out.png -D - 'http://HOST/v1/image?space=demo/images&prompt=sunset'
  curl -s 'http://HOST/v1/text?space=demo/assistant&prompt=x' | jq -r .text | \\
      curl --data-binary @- 'http://HOST/v1/detect'
  curl 'http://HOST/stats'

Spaces in the demo policy: demo/chat (enforce), demo/assistant (mark),
demo/canary (shadow), demo/legacy (off), demo/images (mark); any other name
gets the default.
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "hallmark-demo-inference/0.1"
    protocol_version = "HTTP/1.1"

    # Set on the class by main().
    model = None
    sidecar = None
    stats = None
    quiet = False

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def _send(self, status, body, content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = (json.dumps(body, ensure_ascii=False) + "\n").encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(body)

    def _params(self):
        url = urllib.parse.urlsplit(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(length)
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params.update({k: str(v) for k, v in json.loads(body or b"{}").items()})
        return url.path, params, body

    def do_GET(self):
        self._route()

    def do_POST(self):
        self._route()

    def _route(self):
        try:
            path, params, body = self._params()
        except (ValueError, json.JSONDecodeError) as error:
            return self._send(400, {"error": f"bad request: {error}"})
        try:
            if path == "/":
                return self._send(200, HELP.format(model=MODEL_NAME, sidecar=self.sidecar.address),
                                  "text/plain; charset=utf-8")
            if path == "/healthz":
                return self._send(200, {"status": "ok"})
            if path == "/readyz":
                ok, error = self.sidecar.ready()
                return self._send(200 if ok else 503, {"sidecar": self.sidecar.address,
                                                       "ready": ok, "error": error})
            if path == "/stats":
                return self._send(200, self.stats.snapshot())
            if path == "/v1/text":
                return self._text(params)
            if path == "/v1/image":
                return self._image(params)
            if path == "/v1/detect" and self.command == "POST":
                return self._detect(params, body)
            return self._send(404, {"error": f"no route {self.command} {path}; see /"})
        except BrokenPipeError:
            pass

    def _space(self, params, default):
        space = params.get("space", default)
        request_id = params.get("request_id") or os.urandom(6).hex()
        return space, request_id

    def _text(self, params):
        space, request_id = self._space(params, "demo/assistant")
        try:
            words = max(1, min(2000, int(params.get("words", "120"))))
        except ValueError:
            return self._send(400, {"error": "words must be a number"})
        prompt = params.get("prompt", "")
        text = self.model.generate(prompt + "\x00" + request_id, words)
        released, info = self.sidecar.mark("text", space, text, request_id, MODEL_NAME)
        self.stats.add("text_requests", "mark_text_calls",
                       f"text_decision.{info['decision']}",
                       "released" if info["released"] else "withheld")
        answer = {"space": space, "request_id": request_id, "model": MODEL_NAME, **info}
        status = answer.pop("http_status", 200)
        if released is not None:
            answer["text"] = released
            answer["marked"] = info["decision"] == "DECISION_MARKED"
        return self._send(status, answer)

    def _image(self, params):
        space, request_id = self._space(params, "demo/images")
        try:
            size = max(16, min(1024, int(params.get("size", "256"))))
        except ValueError:
            return self._send(400, {"error": "size must be a number"})
        image = generate_image(params.get("prompt", "") + "\x00" + request_id, size)
        released, info = self.sidecar.mark("image", space, image, request_id, IMAGE_MODEL_NAME)
        self.stats.add("image_requests", "mark_image_calls",
                       f"image_decision.{info['decision']}",
                       "released" if info["released"] else "withheld")
        status = info.pop("http_status", 200)
        header_info = {"X-Hallmark-" + k.replace("_", "-").title(): v for k, v in info.items()}
        header_info["X-Request-Id"] = request_id
        if released is None:
            return self._send(status, {"space": space, "request_id": request_id, **info})
        if params.get("as") == "json":
            return self._send(status, {"space": space, "request_id": request_id, **info,
                                       "format": "png",
                                       "image_base64": base64.b64encode(released).decode()})
        return self._send(status, released, "image/png", header_info)

    def _detect(self, params, body):
        kind = params.get("kind", "text")
        if kind == "text":
            try:
                content = body.decode("utf-8")
            except UnicodeDecodeError:
                return self._send(400, {"error": "text must be UTF-8"})
        else:
            content = body
        try:
            answer = self.sidecar.detect(kind, content)
        except self.sidecar.grpc.RpcError as error:
            return self._send(502, {"sidecar_error": f"{error.code().name}: {error.details()}"})
        self.stats.add("detect_calls")
        return self._send(200, answer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default=os.environ.get("LISTEN", "127.0.0.1:8080"))
    parser.add_argument("--sidecar", default=os.environ.get(
        "HALLMARK_ADDR", "unix:/run/hallmark/hallmark.sock"))
    parser.add_argument("--stubs", default=os.environ.get(
        "HALLMARK_PYSTUBS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs")))
    parser.add_argument("--deadline_ms", type=int, default=int(os.environ.get("DEADLINE_MS", "1000")),
                        help="gRPC deadline per sidecar call (the Space's budget applies inside it)")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    host, _, port = args.listen.rpartition(":")
    Handler.model = TinyTextModel()
    Handler.sidecar = Sidecar(args.sidecar, args.stubs, args.deadline_ms / 1000.0)
    Handler.stats = Stats()
    Handler.quiet = args.quiet
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    print(f"demo inference server listening on http://{host}:{server.server_address[1]} "
          f"sidecar={args.sidecar} model={MODEL_NAME}", flush=True)

    import signal
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    print("demo inference server stopped", flush=True)


if __name__ == "__main__":
    main()
