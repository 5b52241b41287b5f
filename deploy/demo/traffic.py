#!/usr/bin/env python3
"""Traffic for the demo: keeps the dashboard alive by asking the demo
inference server for texts and images on every demo Space, in a fixed cycle
(so a run of N requests is reproducible), and prints one line per request.

Environment (or flags): TARGET (http://127.0.0.1:8080), RATE (requests per
second, default 2), COUNT (requests, 0 = until stopped), READY_TIMEOUT (s).
Only the standard library; talks to one HTTP server, nothing else.
"""
import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# (kind, space, size): size is words for text, pixels per side for images.
# One pass shows every mode and the main reasons: marked, shadowed, off,
# too short passed through (mark) or blocked (enforce), an unlisted Space
# (metrics label "other"), and an image.
CYCLE = [
    ("text", "demo/assistant", 120),
    ("text", "demo/chat", 140),
    ("text", "demo/canary", 120),
    ("text", "demo/legacy", 100),
    ("text", "demo/chat", 6),        # enforce + too short: BLOCKED, withheld
    ("text", "demo/assistant", 6),   # mark + too short: PASSED_THROUGH
    ("image", "demo/images", 256),
    ("text", "acme/unlisted", 150),  # not in the policy: the default applies
]

PROMPTS = ["a lighthouse at dawn", "fog over the harbour", "letters from the supply ship",
           "the long way home", "a beam across the bay"]


def fetch(url, timeout=10.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_ready(target, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _, body = fetch(f"{target}/readyz", timeout=2.0)
            if status == 200:
                return
            detail = body.decode("utf-8", "replace").strip()
        except (urllib.error.URLError, OSError) as error:
            detail = str(error)
        if time.monotonic() > deadline:
            sys.exit(f"traffic: {target} not ready after {timeout:.0f} s: {detail}")
        time.sleep(1.0)


def one(target, index):
    kind, space, size = CYCLE[index % len(CYCLE)]
    prompt = PROMPTS[index % len(PROMPTS)]
    query = urllib.parse.urlencode({"space": space, "prompt": prompt,
                                    "words" if kind == "text" else "size": size,
                                    "request_id": f"traffic-{index}"})
    status, headers, body = fetch(f"{target}/v1/{kind}?{query}")
    if kind == "image" and headers.get("Content-Type") == "image/png":
        decision = headers.get("X-Hallmark-Decision", "?")
        reason = headers.get("X-Hallmark-Reason", "?")
        extra = f"{len(body)} bytes png"
        if headers.get("X-Hallmark-Sidecar-Error"):
            extra += f" sidecar_error={headers['X-Hallmark-Sidecar-Error']}"
    else:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {"error": body[:80]}
        decision = answer.get("decision", "?")
        reason = answer.get("reason", "?")
        extra = ("released" if answer.get("released") else "withheld")
        if answer.get("sidecar_error"):
            extra += f" sidecar_error={answer['sidecar_error']}"
    print(f"traffic #{index:<5} {kind:5} {space:16} http={status} {decision} {reason} {extra}",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default=os.environ.get("TARGET", "http://127.0.0.1:8080"))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("RATE", "2")))
    parser.add_argument("--count", type=int, default=int(os.environ.get("COUNT", "0")))
    parser.add_argument("--ready_timeout", type=float,
                        default=float(os.environ.get("READY_TIMEOUT", "120")))
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    target = args.target.rstrip("/")
    wait_ready(target, args.ready_timeout)
    print(f"traffic: {target} is ready; {args.rate:g} req/s, "
          f"{args.count or 'unbounded'} requests", flush=True)
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    index = 0
    next_at = time.monotonic()
    while args.count == 0 or index < args.count:
        try:
            one(target, index)
        except (urllib.error.URLError, OSError) as error:
            print(f"traffic #{index:<5} error: {error}", flush=True)
        index += 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    print(f"traffic: done, {index} requests", flush=True)


if __name__ == "__main__":
    main()
