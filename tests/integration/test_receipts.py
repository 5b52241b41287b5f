"""End-to-end tests of signed provenance receipts (docs/provenance.md).

hallmarkd signs with an Ed25519 key made by `openssl genpkey`; every receipt
is checked by an independent implementation (Python `cryptography` for
Ed25519, `hashlib`, `base64`, `json`) and by `hallmark verify`.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import time
import unittest

import hallmark_harness as h
from hallmark_harness import hallmark_pb2
import texts

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

POLICY = """\
default:
  mode: mark
  budget_ms: 1000
spaces:
  "r/mark":    { mode: mark }
  "r/shadow":  { mode: shadow }
  "r/off":     { mode: off }
  "r/enforce": { mode: enforce }
"""

RECEIPT_TYPE = "hallmark-text-receipt+jwt"
CLAIMS = ("sha256", "payload_id", "space", "model", "iat", "kid", "scheme", "request_id")


def b64url_decode(part):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
        raise AssertionError(f"not unpadded base64url: {part!r}")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True, timeout=60)


def raw_public_key(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk_thumbprint(public_key):
    """RFC 7638 thumbprint of an Ed25519 key (RFC 8037 §2)."""
    jwk = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw_public_key(public_key))},
                     separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(jwk.encode("ascii")).digest())


def load_public_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def verify_independently(receipt, text, public_key):
    """Checks a receipt with nothing of Hallmark's: returns (header, claims).

    Raises InvalidSignature for a bad signature, AssertionError for anything
    else that is wrong (the text's hash included).
    """
    parts = receipt.split(".")
    if len(parts) != 3:
        raise AssertionError(f"a compact JWS has 3 parts: {receipt!r}")
    header = json.loads(b64url_decode(parts[0]))
    if header != {"alg": "EdDSA", "kid": jwk_thumbprint(public_key), "typ": RECEIPT_TYPE}:
        raise AssertionError(f"unexpected header {header!r}")
    signature = b64url_decode(parts[2])
    public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    claims = json.loads(b64url_decode(parts[1]).decode("utf-8"))
    if tuple(claims) != CLAIMS:
        raise AssertionError(f"unexpected claims {list(claims)!r}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if claims["sha256"] != digest:
        raise AssertionError(f"hash mismatch: the text's SHA-256 is {digest}, "
                             f"the receipt's {claims['sha256']}")
    return header, claims


def json_line(data):
    lines = [l for l in data.decode("utf-8").splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one JSON line, got: {lines!r}"
    return json.loads(lines[0])


class ReceiptTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        directory = cls.class_temp_dir()
        cls.key_path = os.path.join(directory, "receipt_key.pem")
        cls.public_path = os.path.join(directory, "receipt_public_key.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", cls.key_path)
        openssl("pkey", "-in", cls.key_path, "-pubout", "-out", cls.public_path)
        cls.public_key = load_public_key(cls.public_path)
        with open(cls.key_path, "rb") as f:
            private_key = serialization.load_pem_private_key(f.read(), password=None)
        cls.private_raw = private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption())
        cls.published_path = os.path.join(directory, "published.pem")
        cls.daemon, _, _ = cls.start_class_daemon_with(
            POLICY, "k-receipts",
            extra_args=["--receipt_key", cls.key_path,
                        "--receipt_public_key_out", cls.published_path])

    def mark_text(self, space="r/mark", text=texts.PROSE, **kwargs):
        return self.mark(self.daemon, space, text, **kwargs)

    def receipt_stage_count(self):
        return h.metric_sum(self.daemon.metrics(), "hallmark_stage_seconds_count",
                            modality="text", stage="receipt")

    def cli_verify(self, receipt_arg, text, public_key_path=None):
        directory = self.temp_dir()
        # The exact bytes that were returned: no newline added.
        text_path = self.write_file(directory, "text.txt", text.encode("utf-8"))
        result = h.run_cli(["verify", "--public_key", public_key_path or self.public_path,
                            "--receipt", receipt_arg, text_path])
        return result

    # --- MarkText

    def test_marked_text_carries_a_receipt_that_verifies_independently(self):
        before = time.time()
        response = self.mark_text(request_id="req-7", model="demo-model-1")
        after = time.time()
        self.assertEqual(response.decision, hallmark_pb2.DECISION_MARKED)
        self.assertNotEqual(response.text, texts.PROSE)
        header, claims = verify_independently(response.receipt, response.text, self.public_key)
        self.assertEqual(claims["payload_id"], response.payload_id)
        self.assertEqual(claims["space"], "r/mark")
        self.assertEqual(claims["model"], "demo-model-1")
        self.assertEqual(claims["request_id"], "req-7")
        self.assertEqual(claims["kid"], response.key_id)
        self.assertEqual(claims["kid"], "k-receipts")
        self.assertEqual(claims["scheme"], response.scheme)
        self.assertIsInstance(claims["iat"], int)
        self.assertGreaterEqual(claims["iat"], int(before) - 1)
        self.assertLessEqual(claims["iat"], int(after) + 1)
        self.assertEqual(header["kid"], jwk_thumbprint(self.public_key))

    def test_enforce_and_unnamed_spaces_get_receipts(self):
        for space in ("r/enforce", "someone/else"):
            response = self.mark_text(space=space)
            self.assertEqual(response.decision, hallmark_pb2.DECISION_MARKED)
            _, claims = verify_independently(response.receipt, response.text, self.public_key)
            self.assertEqual(claims["space"], space)
            self.assertEqual(claims["model"], "")
            self.assertEqual(claims["request_id"], "")

    def test_receipt_holds_no_secret(self):
        response = self.mark_text()
        decoded = b"".join(b64url_decode(p) for p in response.receipt.split("."))
        secret = self.private_raw
        for form in (secret.hex(), base64.b64encode(secret).decode(), b64url_encode(secret),
                     b64url_encode(secret)[:16], secret.hex()[:16]):
            self.assertNotIn(form, response.receipt)
            self.assertNotIn(form.encode(), decoded)
        self.assertNotIn(secret, decoded)

    def test_a_tampered_signature_or_claim_fails(self):
        response = self.mark_text()
        header, payload, signature = response.receipt.split(".")
        claims = json.loads(b64url_decode(payload))
        claims["space"] = "r/other"
        forged = ".".join([header, b64url_encode(json.dumps(claims, separators=(",", ":"))
                                                 .encode()), signature])
        with self.assertRaises(InvalidSignature):
            verify_independently(forged, response.text, self.public_key)
        result = self.cli_verify(forged, response.text)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(json_line(result.stdout)["result"], "bad_signature")

    def test_any_edit_breaks_the_receipt_but_not_the_watermark(self):
        response = self.mark_text()
        edited = response.text.replace("Rivers", "Streams", 1)
        with self.assertRaisesRegex(AssertionError, "hash mismatch"):
            verify_independently(response.receipt, edited, self.public_key)
        result = self.cli_verify(response.receipt, edited)
        self.assertEqual(result.returncode, 1, result.stderr)
        line = json_line(result.stdout)
        self.assertFalse(line["valid"])
        self.assertEqual(line["result"], "hash_mismatch")
        self.assertEqual(line["payload_id"], response.payload_id)  # the claims are authentic
        detected = self.detect(self.daemon, edited)
        self.assertTrue(detected.verified)
        self.assertEqual(detected.payload_id, response.payload_id)

    def test_shadow_computes_and_times_the_receipt_without_returning_it(self):
        before = self.receipt_stage_count()
        response = self.mark_text(space="r/shadow")
        self.assertEqual(response.decision, hallmark_pb2.DECISION_SHADOWED)
        self.assertEqual(response.text, texts.PROSE)
        self.assertEqual(response.receipt, "")
        h.wait_until(lambda: self.receipt_stage_count() >= before + 1, 5.0,
                     "the receipt stage time of the shadowed call")

    def test_unmarked_texts_get_no_receipt(self):
        before = self.receipt_stage_count()
        off = self.mark_text(space="r/off")
        self.assertEqual(off.decision, hallmark_pb2.DECISION_PASSED_THROUGH)
        self.assertEqual(off.receipt, "")
        short = self.mark_text(text=texts.SHORT)
        self.assertEqual(short.decision, hallmark_pb2.DECISION_PASSED_THROUGH)
        self.assertEqual(short.receipt, "")
        self.assertEqual(self.receipt_stage_count(), before)

    # --- MarkTextStream

    def test_stream_final_response_carries_the_receipt_of_the_whole_text(self):
        pieces = [texts.PROSE[i:i + 37] for i in range(0, len(texts.PROSE), 37)]
        requests = [hallmark_pb2.MarkTextStreamRequest(
            space="r/mark", request_id="stream-1", model="m-stream", delta=pieces[0])]
        requests += [hallmark_pb2.MarkTextStreamRequest(delta=p) for p in pieces[1:]]
        responses = list(self.daemon.stub().MarkTextStream(iter(requests), timeout=60))
        final = responses[-1]
        self.assertTrue(final.final)
        self.assertEqual(final.decision, hallmark_pb2.DECISION_MARKED)
        self.assertTrue(all(not r.receipt for r in responses[:-1]))
        text = "".join(r.delta for r in responses)
        _, claims = verify_independently(final.receipt, text, self.public_key)
        self.assertEqual(claims["payload_id"], final.payload_id)
        self.assertEqual(claims["request_id"], "stream-1")
        self.assertEqual(claims["model"], "m-stream")
        self.assertEqual(claims["space"], "r/mark")
        result = self.cli_verify(final.receipt, text)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_shadow_stream_times_a_receipt_but_returns_none(self):
        before = self.receipt_stage_count()
        requests = [hallmark_pb2.MarkTextStreamRequest(space="r/shadow", delta=texts.PROSE)]
        responses = list(self.daemon.stub().MarkTextStream(iter(requests), timeout=60))
        self.assertEqual(responses[-1].decision, hallmark_pb2.DECISION_SHADOWED)
        self.assertEqual(responses[-1].receipt, "")
        h.wait_until(lambda: self.receipt_stage_count() >= before + 1, 5.0,
                     "the receipt stage time of the shadowed stream")

    # --- hallmark verify

    def test_hallmark_verify(self):
        response = self.mark_text(request_id="cli-1", model="m")
        directory = self.temp_dir()
        receipt_file = self.write_file(directory, "receipt.jws", response.receipt + "\n")
        for receipt_arg in (receipt_file, response.receipt):
            result = self.cli_verify(receipt_arg, response.text)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            line = json_line(result.stdout)
            self.assertTrue(line["valid"])
            self.assertEqual(line["result"], "valid")
            self.assertEqual(line["payload_id"], response.payload_id)
            self.assertEqual(line["key_id"], "k-receipts")
            self.assertEqual(line["request_id"], "cli-1")
            self.assertEqual(line["space"], "r/mark")
            self.assertEqual(line["public_key_kid"], jwk_thumbprint(self.public_key))
            self.assertEqual(line["sha256"],
                             hashlib.sha256(response.text.encode("utf-8")).hexdigest())

        # Another key.
        other_key = os.path.join(directory, "other.pem")
        other_public = os.path.join(directory, "other_public.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", other_key)
        openssl("pkey", "-in", other_key, "-pubout", "-out", other_public)
        result = self.cli_verify(response.receipt, response.text, public_key_path=other_public)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(json_line(result.stdout)["result"], "wrong_key")

        # Not a receipt.
        garbage = self.write_file(directory, "garbage.jws", "eyJ.not-a.receipt")
        result = self.cli_verify(garbage, response.text)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(json_line(result.stdout)["result"], "malformed")

        # Usage: missing flags, a private key where the public key goes.
        text_path = self.write_file(directory, "t.txt", response.text.encode())
        for args in (["verify", text_path],
                     ["verify", "--public_key", self.public_path, text_path],
                     ["verify", "--public_key", self.key_path, "--receipt", response.receipt,
                      text_path],
                     ["verify", "--public_key", self.public_path, "--receipt",
                      os.path.join(directory, "missing"), text_path]):
            result = h.run_cli(args)
            self.assertEqual(result.returncode, 2, f"{args}: {result.stdout!r} {result.stderr!r}")
            self.assertTrue(result.stderr.startswith(b"hallmark verify: "), result.stderr)

    # --- the key

    def test_public_key_is_published_and_logged(self):
        with open(self.published_path, "rb") as f:
            published = serialization.load_pem_public_key(f.read())
        self.assertEqual(raw_public_key(published), raw_public_key(self.public_key))
        thumbprint = jwk_thumbprint(self.public_key)
        self.daemon.wait_for_line(r"hallmarkd ready .* receipt_kid=" + re.escape(thumbprint))
        logged = self.daemon.wait_for_line(
            r"receipt signing key kid=(\S+) source=\"([^\"]*)\" public_key=(\S+)")
        self.assertEqual(logged.group(1), thumbprint)
        self.assertEqual(logged.group(2), self.key_path)
        self.assertEqual(base64.b64decode(logged.group(3)),
                         self.public_key.public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
        self.assertNotIn("EPHEMERAL key " + thumbprint, self.daemon.output())


class ReceiptKeyTest(h.HallmarkTestCase):

    def test_ephemeral_key_is_announced_and_its_receipts_verify(self):
        daemon = self.start_daemon()
        warning = daemon.wait_for_line(
            r"WARN.*NO RECEIPT KEY CONFIGURED: signing receipts with the EPHEMERAL key (\S+)\.")
        logged = daemon.wait_for_line(r"receipt signing key kid=(\S+) source=\"ephemeral\" "
                                      r"public_key=(\S+)")
        public_key = serialization.load_der_public_key(base64.b64decode(logged.group(2)))
        self.assertIsInstance(public_key, Ed25519PublicKey)
        self.assertEqual(warning.group(1), jwk_thumbprint(public_key))
        response = self.mark(daemon, "any/space", texts.PROSE)
        verify_independently(response.receipt, response.text, public_key)

    def test_a_bad_receipt_key_stops_the_start(self):
        directory = self.temp_dir()
        ec_key = os.path.join(directory, "ec.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", ec_key)
        public = os.path.join(directory, "public.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", os.path.join(directory, "ed.pem"))
        openssl("pkey", "-in", os.path.join(directory, "ed.pem"), "-pubout", "-out", public)
        cases = [(ec_key, "is EC; receipts need an Ed25519 key"),
                 (public, "not a PEM private key"),
                 (os.path.join(directory, "missing.pem"), "cannot open receipt key file")]
        for path, message in cases:
            code, output = self.run_daemon_to_exit(
                h.daemon_args(None, None, ["--receipt_key", path], "5s"))
            self.assertEqual(code, 2, output)
            self.assertIn("cannot start: ", output)
            self.assertIn(message, output)

    def test_keygen_receipt_key_works_with_hallmarkd(self):
        directory = self.temp_dir()
        out = os.path.join(directory, "receipt")
        result = h.run_cli(["keygen", "--receipt", "--out", out])
        self.assertEqual(result.returncode, 0, result.stderr)
        line = json_line(result.stdout)
        self.assertEqual(os.stat(line["private_key"]).st_mode & 0o777, 0o600)
        public_key = load_public_key(line["public_key"])
        self.assertEqual(line["receipt_kid"], jwk_thumbprint(public_key))
        daemon = self.start_daemon(extra_args=["--receipt_key", line["private_key"]])
        response = self.mark(daemon, "any/space", texts.PROSE)
        verify_independently(response.receipt, response.text, public_key)
        # Never overwritten.
        again = h.run_cli(["keygen", "--receipt", "--out", out])
        self.assertEqual(again.returncode, 2)

    def test_offline_mark_signs_with_the_receipt_key(self):
        directory = self.temp_dir()
        key = os.path.join(directory, "key.pem")
        public = os.path.join(directory, "public.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", key)
        openssl("pkey", "-in", key, "-pubout", "-out", public)
        source = self.write_file(directory, "answer.txt", texts.PROSE)
        marked = os.path.join(directory, "marked.txt")
        result = h.run_cli(["mark", "--receipt_key", key, "--space", "cli/offline",
                            "--out", marked, source])
        self.assertEqual(result.returncode, 0, result.stderr)
        line = json_line(result.stdout)
        with open(marked, encoding="utf-8", newline="") as f:
            text = f.read()
        _, claims = verify_independently(line["receipt"], text, load_public_key(public))
        self.assertEqual(claims["space"], "cli/offline")
        self.assertEqual(claims["payload_id"], line["payload_id"])
        result = h.run_cli(["verify", "--public_key", public, "--receipt", line["receipt"], marked])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
