"""End-to-end tests of the `hallmark` command-line tool."""
import json
import os
import re
import socket
import stat
import unittest

import hallmark_harness as h
import texts

POLICY = """\
default:
  mode: mark
spaces:
  "cli/enforce": { mode: enforce }
  "cli/off":     { mode: off }
"""


def json_line(data):
    """The single JSON line in `data` (bytes); fails on anything else."""
    lines = [l for l in data.decode("utf-8").splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one JSON line, got: {lines!r}"
    return json.loads(lines[0])


def json_last_line(data):
    """The JSON object on the last line (warnings may come before it)."""
    lines = [l for l in data.decode("utf-8").splitlines() if l.strip()]
    assert lines, "no output"
    return json.loads(lines[-1])


class CliTest(h.HallmarkTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.temp_dir()
        self.keys = os.path.join(self.dir, "keys")
        result = h.run_cli(["keygen", "--out", self.keys, "--id", "k1"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.input = self.write_file(self.dir, "answer.txt", texts.PROSE)

    def cli(self, *args, input_bytes=None):
        return h.run_cli(list(args), input_bytes=input_bytes)

    def parse_json(self, data):
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError as error:
            self.fail(f"not one valid JSON object ({error}): {data!r}")

    def describe(self, result):
        return (f"exit {result.returncode}\nstdout: {result.stdout.decode(errors='replace')}\n"
                f"stderr: {result.stderr.decode(errors='replace')}")

    # --- keygen

    def test_keygen_writes_a_private_hex_key(self):
        path = os.path.join(self.keys, "k1")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        self.assertEqual(mode, 0o600, oct(mode))
        with open(path) as f:
            content = f.read()
        self.assertRegex(content, r"^[0-9a-f]{64}\n?$")
        self.assertEqual(stat.S_IMODE(os.stat(self.keys).st_mode) & 0o077, 0,
                         "the key directory must not be readable by others")

    def test_keygen_prints_id_and_path(self):
        result = self.cli("keygen", "--out", self.keys, "--id", "k2")
        self.assertEqual(result.returncode, 0, self.describe(result))
        info = json_line(result.stdout)
        self.assertEqual(info["key_id"], "k2")
        self.assertEqual(info["path"], os.path.join(self.keys, "k2"))
        with open(os.path.join(self.keys, "k1")) as a, open(os.path.join(self.keys, "k2")) as b:
            self.assertNotEqual(a.read(), b.read(), "two keys must differ")

    def test_keygen_default_id(self):
        result = self.cli("keygen", "--out", self.keys)
        self.assertEqual(result.returncode, 0, self.describe(result))
        key_id = json_line(result.stdout)["key_id"]
        self.assertRegex(key_id, r"^k\d{8}-[0-9a-f]{4}$")
        self.assertTrue(os.path.isfile(os.path.join(self.keys, key_id)))

    def test_keygen_refuses_to_overwrite(self):
        path = os.path.join(self.keys, "k1")
        with open(path) as f:
            before = f.read()
        result = self.cli("keygen", "--out", self.keys, "--id", "k1")
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertIn(b"k1", result.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), before, "the existing key must be untouched")

    def test_keygen_rejects_bad_id(self):
        result = self.cli("keygen", "--out", self.keys, "--id", "../evil")
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "evil")))

    def test_keygen_json_is_valid_for_any_path(self):
        # The JSON line must stay parseable whatever the path holds.
        odd = os.path.join(self.dir, 'odd "quoted" \\ dir')
        result = self.cli("keygen", "--out", odd, "--id", "k1")
        self.assertEqual(result.returncode, 0, self.describe(result))
        info = self.parse_json(result.stdout)
        self.assertEqual(info["path"], os.path.join(odd, "k1"))

    # --- mark and detect

    def mark_to_file(self, *extra):
        out = os.path.join(self.dir, "marked.txt")
        result = self.cli("mark", "--keys", self.keys, "--out", out, *extra, self.input)
        self.assertEqual(result.returncode, 0, self.describe(result))
        return out, json_line(result.stdout)

    def test_mark_to_file(self):
        out, info = self.mark_to_file()
        self.assertEqual(info["decision"], "DECISION_MARKED")
        self.assertEqual(info["reason"], "REASON_UNSPECIFIED")
        self.assertRegex(info["payload_id"], r"^[0-9a-f]{14}$")
        self.assertEqual(info["key_id"], "k1")
        self.assertEqual(info["scheme"], "unicode")
        self.assertIsInstance(info["micros"], int)
        self.assertGreaterEqual(info["micros"], 0)
        with open(out, encoding="utf-8") as f:
            marked = f.read()
        self.assertNotEqual(marked, texts.PROSE)
        self.assertEqual(texts.normalize(marked), texts.PROSE)

    def test_mark_to_stdout(self):
        result = self.cli("mark", "--keys", self.keys, self.input)
        self.assertEqual(result.returncode, 0, self.describe(result))
        marked = result.stdout.decode("utf-8")
        self.assertEqual(texts.normalize(marked), texts.PROSE)
        self.assertGreater(texts.changed_spaces(marked), 0)
        info = json_last_line(result.stderr)
        self.assertEqual(info["decision"], "DECISION_MARKED")
        self.assertEqual(info["key_id"], "k1")

    def test_mark_reads_stdin(self):
        result = self.cli("mark", "--keys", self.keys, "-", input_bytes=texts.PROSE.encode())
        self.assertEqual(result.returncode, 0, self.describe(result))
        self.assertEqual(texts.normalize(result.stdout.decode("utf-8")), texts.PROSE)

    def test_detect_marked_file(self):
        out, info = self.mark_to_file()
        result = self.cli("detect", "--keys", self.keys, out)
        self.assertEqual(result.returncode, 0, self.describe(result))
        found = json_line(result.stdout)
        self.assertIs(found["detected"], True)
        self.assertIs(found["verified"], True)
        self.assertEqual(found["payload_id"], info["payload_id"])
        self.assertEqual(found["key_id"], "k1")
        self.assertEqual(found["scheme"], "unicode")
        self.assertLess(found["false_positive_probability"], 1e-6)
        self.assertEqual(found["space_tag"], texts.space_tag("local/cli"))
        self.assertRegex(found["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:00:00Z$")

    def test_detect_with_another_key_is_not_verified(self):
        out, _ = self.mark_to_file()
        other = os.path.join(self.dir, "other-keys")
        self.assertEqual(self.cli("keygen", "--out", other, "--id", "k9").returncode, 0)
        result = self.cli("detect", "--keys", other, out)
        self.assertEqual(result.returncode, 1, self.describe(result))
        found = json_line(result.stdout)
        self.assertIs(found["detected"], True)
        self.assertIs(found["verified"], False)
        self.assertEqual(found["key_id"], "")

    def test_detect_unmarked_file(self):
        result = self.cli("detect", "--keys", self.keys, self.input)
        self.assertEqual(result.returncode, 1, self.describe(result))
        found = json_line(result.stdout)
        self.assertIs(found["detected"], False)
        self.assertIs(found["verified"], False)
        self.assertEqual(found["payload_id"], "")

    def test_corrupt_png_is_bad_input(self):
        png = self.write_file(self.dir, "image.png",
                              b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)))
        result = self.cli("detect", "--keys", self.keys, png)
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertEqual(result.stdout, b"")
        self.assertRegex(result.stderr.decode(), r"PNG|png")
        marked = self.cli("mark", "--keys", self.keys, "--out", os.path.join(self.dir, "o.png"),
                          png)
        self.assertEqual(marked.returncode, 2, self.describe(marked))
        self.assertRegex(marked.stderr.decode(), r"PNG|png")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "o.png")))
        no_out = self.cli("mark", "--keys", self.keys, png)
        self.assertEqual(no_out.returncode, 2, self.describe(no_out))
        self.assertIn("--out", no_out.stderr.decode())

    def test_mark_and_detect_a_photo(self):
        photo = os.path.join(h.SOURCE_DIR, "tests", "data", "images", "astronaut.jpg")
        out = os.path.join(self.dir, "marked.jpg")
        marked = self.cli("mark", "--keys", self.keys, "--space", "cli/images", "--out", out, photo)
        self.assertEqual(marked.returncode, 0, self.describe(marked))
        line = json.loads(marked.stdout)
        self.assertEqual(line["decision"], "DECISION_MARKED")
        self.assertEqual((line["format"], line["width"], line["height"]), ("jpeg", 512, 512))
        self.assertGreaterEqual(line["psnr_db"], 40)
        with open(out, "rb") as f:
            self.assertEqual(f.read(3), b"\xff\xd8\xff")
        found = self.cli("detect", "--keys", self.keys, out)
        self.assertEqual(found.returncode, 0, self.describe(found))
        result = json.loads(found.stdout)
        self.assertTrue(result["verified"])
        self.assertEqual(result["payload_id"], line["payload_id"])
        self.assertEqual(result["geometry"], "identity")
        as_webp = self.cli("mark", "--keys", self.keys, "--format", "webp", "--out",
                           os.path.join(self.dir, "m.webp"), photo)
        self.assertEqual(json.loads(as_webp.stdout)["format"], "webp")
        unmarked = self.cli("detect", "--keys", self.keys, photo)
        self.assertEqual(unmarked.returncode, 1, self.describe(unmarked))
        self.assertFalse(json.loads(unmarked.stdout)["verified"])

    def test_invalid_utf8_is_bad_input(self):
        bad = self.write_file(self.dir, "bad.txt", texts.PROSE.encode() + b"\xff\xfe trailing")
        for command in ("mark", "detect"):
            with self.subTest(command=command):
                result = self.cli(command, "--keys", self.keys, bad)
                self.assertEqual(result.returncode, 2, self.describe(result))
                self.assertIn(b"UTF-8", result.stderr)

    def test_missing_input_is_bad_input(self):
        result = self.cli("detect", "--keys", self.keys, os.path.join(self.dir, "nope.txt"))
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertIn(b"nope.txt", result.stderr)

    def test_unknown_option_is_usage_error(self):
        result = self.cli("mark", "--nope", self.input)
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertIn(b"--nope", result.stderr)

    def test_mark_with_policy_enforce_short_is_blocked(self):
        policy = self.write_file(self.dir, "policy.yaml", POLICY)
        short = self.write_file(self.dir, "short.txt", texts.SHORT)
        out = os.path.join(self.dir, "out.txt")
        result = self.cli("mark", "--keys", self.keys, "--policy", policy, "--space",
                          "cli/enforce", "--out", out, short)
        self.assertEqual(result.returncode, 1, self.describe(result))
        info = json_line(result.stdout)
        self.assertEqual(info["decision"], "DECISION_BLOCKED")
        self.assertEqual(info["reason"], "REASON_TOO_SHORT")
        self.assertFalse(os.path.exists(out) and os.path.getsize(out),
                         "a BLOCKED text must not be written out")
        # Without --out, nothing goes to stdout and the JSON goes to stderr.
        result = self.cli("mark", "--keys", self.keys, "--policy", policy, "--space",
                          "cli/enforce", short)
        self.assertEqual(result.returncode, 1, self.describe(result))
        self.assertEqual(result.stdout, b"")
        self.assertEqual(json_last_line(result.stderr)["decision"], "DECISION_BLOCKED")

    def test_mark_with_policy_modes(self):
        policy = self.write_file(self.dir, "policy.yaml", POLICY)
        out = os.path.join(self.dir, "out.txt")
        cases = {"cli/enforce": "DECISION_MARKED", "cli/off": "DECISION_PASSED_THROUGH",
                 "not/named": "DECISION_MARKED"}
        for space, decision in cases.items():
            with self.subTest(space=space):
                result = self.cli("mark", "--keys", self.keys, "--policy", policy, "--space",
                                  space, "--out", out, self.input)
                self.assertEqual(result.returncode, 0, self.describe(result))
                self.assertEqual(json_line(result.stdout)["decision"], decision)
                with open(out, encoding="utf-8") as f:
                    written = f.read()
                self.assertEqual(texts.normalize(written), texts.PROSE)
                self.assertEqual(written == texts.PROSE, decision != "DECISION_MARKED")

    def test_mark_short_text_passes_through(self):
        short = self.write_file(self.dir, "short.txt", texts.SHORT)
        out = os.path.join(self.dir, "out.txt")
        result = self.cli("mark", "--keys", self.keys, "--out", out, short)
        self.assertEqual(result.returncode, 0, self.describe(result))
        info = json_line(result.stdout)
        self.assertEqual(info["decision"], "DECISION_PASSED_THROUGH")
        self.assertEqual(info["reason"], "REASON_TOO_SHORT")
        with open(out, encoding="utf-8") as f:
            self.assertEqual(f.read(), texts.SHORT)

    def test_cli_and_daemon_agree(self):
        """A mark made offline verifies in hallmarkd with the same keys, and back."""
        daemon = self.start_daemon(keys=self.keys)
        out, info = self.mark_to_file()
        with open(out, encoding="utf-8") as f:
            found = self.detect(daemon, f.read())
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, info["payload_id"])
        marked = self.mark(daemon, "x/y", texts.PROSE)
        path = self.write_file(self.dir, "from-daemon.txt", marked.text)
        result = self.cli("detect", "--keys", self.keys, path)
        self.assertEqual(result.returncode, 0, self.describe(result))
        self.assertEqual(json_line(result.stdout)["payload_id"], marked.payload_id)

    # --- policy check

    def test_policy_check_example(self):
        example = os.path.join(h.SOURCE_DIR, "examples", "policy.yaml")
        result = self.cli("policy", "check", example)
        self.assertEqual(result.returncode, 0, self.describe(result))
        self.assertIn(b"ok", result.stdout)

    def test_policy_check_broken(self):
        broken = self.write_file(self.dir, "broken.yaml", (
            "# a policy with a typo\n"
            "default:\n"
            "  mode: mark\n"
            "spaces:\n"
            "  \"x\": { mode: enforse }\n"))
        result = self.cli("policy", "check", broken)
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertRegex(result.stderr.decode(),
                         re.escape(broken) + r':5:\d+: spaces\."x"\.mode: unknown value '
                         r'"enforse"; expected one of off, shadow, mark, enforce')

    def test_policy_check_with_keys(self):
        policy = self.write_file(self.dir, "policy.yaml", POLICY + "keys:\n  active: k1\n")
        result = self.cli("policy", "check", "--keys", self.keys, policy)
        self.assertEqual(result.returncode, 0, self.describe(result))
        wrong = self.write_file(self.dir, "wrong.yaml", POLICY + "keys:\n  active: k7\n")
        result = self.cli("policy", "check", "--keys", self.keys, wrong)
        self.assertEqual(result.returncode, 2, self.describe(result))
        self.assertIn(b"k7", result.stderr)

    # --- health

    def test_health_of_running_daemon(self):
        daemon = self.start_daemon()
        result = self.cli("health", "--addr", daemon.grpc_address)
        self.assertEqual(result.returncode, 0, self.describe(result))
        info = json_line(result.stdout)
        self.assertEqual(info["status"], "SERVING")
        self.assertEqual(info["addr"], daemon.grpc_address)
        named = self.cli("health", "--addr", daemon.grpc_address, "--service",
                         "hallmark.v1.Hallmark")
        self.assertEqual(named.returncode, 0, self.describe(named))

    def test_health_json_is_valid_for_any_address(self):
        # A unix socket path with a quote and a backslash that does not exist:
        # the address and gRPC's error message both end up in the JSON line.
        address = "unix:" + os.path.join(self.dir, 'no "such" \\ socket')
        result = self.cli("health", "--addr", address, "--timeout_ms", "3000")
        self.assertEqual(result.returncode, 1, self.describe(result))
        info = self.parse_json(result.stdout)
        self.assertEqual(info["addr"], address)
        self.assertNotEqual(info["status"], "SERVING")

    def test_health_of_closed_port(self):
        # A bound socket that does not listen: connections are refused, and no
        # other process can take the port meanwhile.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            address = f"127.0.0.1:{s.getsockname()[1]}"
            result = self.cli("health", "--addr", address, "--timeout_ms", "3000")
        self.assertEqual(result.returncode, 1, self.describe(result))
        self.assertNotEqual(json_line(result.stdout)["status"], "SERVING")

    # --- demo (what the README's first command shows)

    def test_demo_against_the_example_policy(self):
        daemon = self.start_daemon(policy=os.path.join(h.SOURCE_DIR, "examples", "policy.yaml"))
        # Several runs: each marks with a fresh payload, so the fragment the
        # demo cuts lands at different places relative to multi-byte spaces.
        for _ in range(10):
            result = self.cli("demo", "--addr", daemon.grpc_address)
            self.assertEqual(result.returncode, 0, self.describe(result))
            out = result.stdout.decode()
            self.assertNotIn("gRPC 13", out)
            self.assertRegex(out, r"demo/chat +-> DECISION_MARKED")
            self.assertRegex(out, r"demo/legacy +-> DECISION_PASSED_THROUGH REASON_MODE_OFF")
            self.assertRegex(out, r"demo/canary +-> DECISION_SHADOWED")
            self.assertRegex(out, r"demo/chat +-> gRPC 9 BLOCKED \(REASON_TOO_SHORT\)")
            self.assertRegex(out, r"the marked answer +-> detected=yes verified=yes")
            self.assertRegex(out, r"a fragment \(\d+ bytes\) +-> detected=yes verified=yes")
            self.assertRegex(out, r"the original, unmarked answer +-> detected=no verified=no")
            self.assertRegex(out, r"the streamed answer +-> detected=yes verified=yes")
            self.assertRegex(out, r"demo/assistant +-> DECISION_MARKED REASON_UNSPECIFIED "
                                  r"payload=[0-9a-f]{14} psnr=4\d\.\d dB")
            self.assertRegex(out, r"demo/legacy +-> DECISION_PASSED_THROUGH REASON_MODE_OFF "
                                  r"payload= ")
            self.assertRegex(out, r"Detect\(the marked image\): verified=yes payload=[0-9a-f]{14} "
                                  r"space=demo/assistant geometry=identity")
            self.assertRegex(out, r"Detect\(the original image\): verified=no")
            self.assertRegex(out, r"\+ C2PA manifest urn:c2pa:[0-9a-f-]{36}, \d+ bytes, signed in "
                                  r"\d+ us by .*development certificate: untrusted")
            self.assertRegex(out, r"C2PA: valid C2PA manifest \(signer not trusted here\); the "
                                  r"watermark matches it")
            self.assertRegex(out, r"C2PA: no C2PA manifest and no watermark")

if __name__ == "__main__":
    unittest.main()
