"""The C2PA layer through the real hallmarkd (issue 7).

hallmarkd signs with a certificate from a throw-away CA made here with the
openssl command line; the marked images are read by the C2PA reference
implementation (c2pa-rs via @contentauth/c2pa-wasm, tests/provenance/
c2pa_reader) as the independent verifier, and Detect is checked to tell a
valid manifest, a stripped one, altered pixels and a manifest moved onto
another image apart.
"""
import io
import json
import os
import shutil
import struct
import subprocess
import unittest
import zlib

from PIL import Image

import hallmark_harness as h
import pki
from photos import convert, read
from hallmark_harness import hallmark_pb2 as D

POLICY = """
default:
  mode: mark
spaces:
  e2e/c2pa: {mode: mark}
  e2e/no-c2pa:
    image: {provenance: off}
  e2e/shadow: {mode: shadow}
"""
KEY = "provenance-e2e-key"
READER_DIR = os.path.join(h.SOURCE_DIR, "tests", "provenance", "c2pa_reader")
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


# --- container surgery, written independently of the C++ placement code


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        chunks.append((data[pos + 4:pos + 8], data[pos:pos + 12 + length]))
        pos += 12 + length
    return chunks


def png_without_cabx(data):
    return data[:8] + b"".join(raw for kind, raw in png_chunks(data) if kind != b"caBX")


def png_cabx(data):
    return [raw for kind, raw in png_chunks(data) if kind == b"caBX"][0]


def png_with_chunk_after_ihdr(data, chunk):
    chunks = png_chunks(data)
    assert chunks[0][0] == b"IHDR"
    return data[:8] + chunks[0][1] + chunk + b"".join(raw for _, raw in chunks[1:])


def jpeg_without_app11(data):
    out, pos = bytearray(data[:2]), 2
    while True:
        marker = data[pos + 1]
        if marker == 0xDA:
            return bytes(out + data[pos:])
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if not (marker == 0xEB and data[pos + 4:pos + 6] == b"JP"):
            out += data[pos:pos + 2 + length]
        pos += 2 + length


def webp_without_c2pa(data):
    pos, body = 12, bytearray()
    while pos < len(data):
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        end = pos + 8 + length + (length & 1)
        if data[pos:pos + 4] != b"C2PA":
            body += data[pos:end]
        pos = end
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + bytes(body)


STRIP = {"png": png_without_cabx, "jpeg": jpeg_without_app11, "webp": webp_without_c2pa}
EXTENSION = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}


class ProvenanceTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        directory = cls.class_temp_dir()
        ca = pki.Authority(directory, "c2pa-ca")
        cls.signer = ca.issue("hallmark-c2pa-signer", c2pa=True)
        cls.daemon, _, _ = cls.start_class_daemon_with(
            POLICY, KEY,
            extra_args=(f"--c2pa_private_key={cls.signer.key}",
                        f"--c2pa_cert_chain={cls.signer.cert}",
                        f"--c2pa_trust_anchors={ca.cert}"))
        cls.dir = directory
        cls.inputs = {
            "jpeg": read("astronaut.jpg"),
            "png": convert(read("coffee.jpg"), "PNG"),
            "webp": convert(read("chelsea.jpg"), "WEBP", quality=90),
        }
        cls.reader = None
        if shutil.which("node") and os.path.isdir(os.path.join(READER_DIR, "node_modules")):
            cls.reader = shutil.which("node")

    def mark(self, fmt, space="e2e/c2pa"):
        response = self.daemon.stub().MarkImage(
            D.MarkImageRequest(space=space, image=self.inputs[fmt]), timeout=h.RPC_TIMEOUT)
        self.assertEqual(D.Decision.Name(response.decision),
                         "DECISION_SHADOWED" if space == "e2e/shadow" else "DECISION_MARKED")
        return response

    def detect(self, image):
        return self.daemon.stub().Detect(D.DetectRequest(image=image), timeout=h.RPC_TIMEOUT)

    def reference_read(self, fmt, image):
        """The reference implementation's reading of `image` (a dict)."""
        if self.reader is None:
            self.skipTest("node or tests/provenance/c2pa_reader/node_modules missing "
                          "(scripts/test.sh runs npm ci there)")
        path = os.path.join(self.dir, f"{self.id().split('.')[-1]}{EXTENSION[fmt]}")
        with open(path, "wb") as f:
            f.write(image)
        result = subprocess.run([self.reader, "read.mjs", path], cwd=READER_DIR,
                                capture_output=True, timeout=120)
        self.assertIn(result.returncode, (0, 2), result.stderr.decode())
        return json.loads(result.stdout)

    # --- every format: signed, read by the reference implementation, detected

    def check_format(self, fmt):
        response = self.mark(fmt)
        c2pa = response.c2pa
        self.assertRegex(c2pa.manifest_label, r"^urn:c2pa:[0-9a-f-]{36}$")
        self.assertGreater(c2pa.manifest_bytes, 500)
        self.assertGreater(c2pa.sign_micros, 0)
        self.assertFalse(c2pa.development_signer)
        self.assertIn("CN=hallmark-c2pa-signer", c2pa.signer)

        # The watermark is embedded first; the image still decodes (Pillow).
        Image.open(io.BytesIO(response.image)).load()

        # The reference implementation: a valid manifest with our assertions,
        # no failure but the signer's trust (its CA is ours, not C2PA's list).
        ref = self.reference_read(fmt, response.image)
        self.assertEqual(ref["validation_state"], "Valid", ref)
        self.assertEqual(ref["validation_status"], ["signingCredential.untrusted"], ref)
        manifest = ref["manifest"]["manifests"][ref["active_manifest"]]
        self.assertEqual(ref["active_manifest"], c2pa.manifest_label)
        self.assertEqual(manifest["claim_generator_info"][0]["name"], "hallmark")
        assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
        action = assertions["c2pa.actions.v2"]["actions"][0]
        self.assertEqual(action["action"], "c2pa.created")
        self.assertEqual(action["digitalSourceType"], TRAINED)
        binding = assertions["c2pa.soft-binding"]
        self.assertEqual(binding["alg"], "com.hallmark.canonical-grid.v1")
        self.assertEqual(binding["blocks"][0]["value"], response.payload_id)
        self.assertIn("hallmark-c2pa-signer", manifest["signature_info"]["common_name"])
        successes = {s["code"] for s in ref["validation_results"]["activeManifest"]["success"]}
        self.assertTrue({"claimSignature.validated", "assertion.dataHash.match",
                         "assertion.hashedURI.match"} <= successes, successes)

        # Detect reads both layers and ties them together.
        found = self.detect(response.image)
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, response.payload_id)
        report = found.c2pa
        self.assertTrue(report.present and report.valid and report.trusted, report)
        self.assertTrue(report.signature_valid and report.hard_binding_valid)
        self.assertEqual(report.soft_binding, "match")
        self.assertEqual(report.soft_binding_payload_id, response.payload_id)
        self.assertEqual(report.manifest_label, c2pa.manifest_label)
        self.assertEqual(report.signer_organization, "Hallmark tests")
        self.assertEqual(report.digital_source_type, TRAINED)
        self.assertEqual(list(report.failures), [])
        self.assertIn("the watermark matches it", report.summary)

        # Stripped: no manifest, the watermark still links the image.
        stripped = STRIP[fmt](response.image)
        found = self.detect(stripped)
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, response.payload_id)
        self.assertFalse(found.c2pa.present)
        self.assertIn("stripped", found.c2pa.summary)
        ref = self.reference_read(fmt, stripped)
        self.assertIsNone(ref["manifest"])

    def test_jpeg(self):
        self.check_format("jpeg")

    def test_png(self):
        self.check_format("png")

    def test_webp(self):
        self.check_format("webp")

    # --- tampering

    def test_altered_pixels_fail_the_hard_binding_and_the_watermark_still_matches(self):
        response = self.mark("png")
        picture = Image.open(io.BytesIO(response.image)).convert("RGB")
        for x in range(40):
            for y in range(40):
                picture.putpixel((x, y), (255, 0, 0))
        out = io.BytesIO()
        picture.save(out, "PNG")
        tampered = png_with_chunk_after_ihdr(out.getvalue(), png_cabx(response.image))
        found = self.detect(tampered)
        self.assertTrue(found.verified)
        report = found.c2pa
        self.assertTrue(report.present and report.signature_valid)
        self.assertFalse(report.hard_binding_valid)
        self.assertFalse(report.valid)
        self.assertIn("assertion.dataHash.mismatch", report.failures)
        self.assertEqual(report.soft_binding, "match")
        self.assertIn("altered after signing", report.summary)
        ref = self.reference_read("png", tampered)
        self.assertEqual(ref["validation_state"], "Invalid")
        self.assertIn("assertion.dataHash.mismatch", ref["validation_status"])

    def test_manifest_moved_onto_another_image_is_reported(self):
        first = self.mark("png")
        second = self.mark("png")
        self.assertNotEqual(first.payload_id, second.payload_id)
        moved = png_with_chunk_after_ihdr(png_without_cabx(second.image), png_cabx(first.image))
        found = self.detect(moved)
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, second.payload_id)
        report = found.c2pa
        self.assertTrue(report.signature_valid)
        self.assertFalse(report.hard_binding_valid)
        self.assertEqual(report.soft_binding, "mismatch")
        self.assertEqual(report.soft_binding_payload_id, first.payload_id)
        self.assertIn("belongs to another image", report.summary)

    def test_truncated_manifest_is_reported_not_trusted(self):
        response = self.mark("png")
        chunk = png_cabx(response.image)
        data = chunk[8:-4][:200]  # a cut-off JUMBF store in a well-formed chunk
        broken = (struct.pack(">I", len(data)) + b"caBX" + data +
                  struct.pack(">I", zlib.crc32(b"caBX" + data)))
        found = self.detect(png_with_chunk_after_ihdr(png_without_cabx(response.image), broken))
        self.assertTrue(found.c2pa.present)
        self.assertFalse(found.c2pa.valid)
        self.assertIn("manifest.malformed", found.c2pa.failures)
        self.assertTrue(found.verified)

    # --- policy

    def test_provenance_off_writes_no_manifest(self):
        response = self.mark("png", space="e2e/no-c2pa")
        self.assertEqual(response.c2pa.manifest_label, "")
        self.assertNotIn(b"caBX", response.image)
        self.assertFalse(self.detect(response.image).c2pa.present)

    def test_shadow_computes_and_times_the_manifest_without_returning_it(self):
        before = h.metric_sum(self.daemon.metrics(), "hallmark_stage_seconds_count",
                              modality="image", stage="c2pa")
        response = self.mark("jpeg", space="e2e/shadow")
        self.assertEqual(response.image, self.inputs["jpeg"])
        self.assertEqual(response.c2pa.manifest_label, "")
        after = h.metric_sum(self.daemon.metrics(), "hallmark_stage_seconds_count",
                             modality="image", stage="c2pa")
        self.assertEqual(after, before + 1)


class DevelopmentSignerTest(h.HallmarkTestCase):

    def test_without_credentials_a_development_chain_signs_with_a_loud_warning(self):
        directory = self.temp_dir()
        keys = os.path.join(directory, "keys")
        os.mkdir(keys, 0o700)
        h.write_key(keys, KEY)
        daemon = self.start_daemon(keys=keys)
        self.assertIn("NO C2PA SIGNING CERTIFICATE CONFIGURED", daemon.output())
        response = daemon.stub().MarkImage(
            D.MarkImageRequest(space="dev", image=read("astronaut.jpg")), timeout=h.RPC_TIMEOUT)
        self.assertTrue(response.c2pa.development_signer)
        found = daemon.stub().Detect(D.DetectRequest(image=response.image),
                                     timeout=h.RPC_TIMEOUT)
        self.assertTrue(found.c2pa.valid)
        self.assertFalse(found.c2pa.trusted)
        self.assertEqual(list(found.c2pa.failures), ["signingCredential.untrusted"])

    def test_half_configured_credentials_refuse_to_start(self):
        directory = self.temp_dir()
        ca = pki.Authority(directory, "ca")
        signer = ca.issue("s", c2pa=True)
        code, output = self.run_daemon_to_exit(
            h.daemon_args(None, None, (f"--c2pa_private_key={signer.key}",), "1s"))
        self.assertEqual(code, 2)
        self.assertIn("certificate chain", output)


if __name__ == "__main__":
    unittest.main()
