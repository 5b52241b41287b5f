"""MarkImage and image Detect through the real hallmarkd (PRODUCT §6).

The client is Python grpcio; the images are the public-domain photos of
tests/data/images, converted with Pillow (an independent codec) where a test
needs another format, and every marked output is decoded again with Pillow
to prove it is a valid file of the announced format.
"""
import io
import math
import unittest

import numpy as np
from PIL import Image

import hallmark_harness as h
from photos import convert, read
from hallmark_harness import grpc, hallmark_pb2 as D

POLICY = """
default:
  mode: mark
spaces:
  e2e/off: {mode: off}
  e2e/shadow: {mode: shadow}
  e2e/mark: {mode: mark}
  e2e/enforce: {mode: enforce}
  e2e/q60:
    image: {jpeg_quality: 60}
  e2e/small-limit:
    image: {max_pixels: 10000, max_bytes: 200000}
"""

KEY = "image-e2e-key"


def pil(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def psnr(a, b):
    x = np.asarray(a.convert("RGB"), dtype=np.float64)
    y = np.asarray(b.convert("RGB"), dtype=np.float64)
    mse = float(np.mean((x - y) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


class ImageTest(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        cls.daemon, _, _ = cls.start_class_daemon_with(POLICY, KEY)
        cls.jpeg = read("astronaut.jpg")          # 512x512 RGB, baseline 4:2:0
        cls.png = read("coins.png")               # 384x303 gray
        cls.webp = convert(read("coffee.jpg"), "WEBP", quality=90)
        rocket = Image.open(io.BytesIO(read("rocket.jpg"))).convert("RGB")
        cls.raw_size = rocket.size
        cls.raw = rocket.tobytes()

    def mark_image(self, space, image, **kwargs):
        return self.daemon.stub().MarkImage(D.MarkImageRequest(space=space, image=image, **kwargs),
                                            timeout=h.RPC_TIMEOUT)

    def detect_image(self, image, **kwargs):
        return self.daemon.stub().Detect(D.DetectRequest(image=image, **kwargs),
                                         timeout=h.RPC_TIMEOUT)

    def assert_marked(self, response, fmt, original_pil):
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_MARKED")
        self.assertEqual(response.format, fmt)
        self.assertEqual(response.scheme, "canonical-grid")
        self.assertEqual(response.key_id, KEY)
        self.assertRegex(response.payload_id, r"^[0-9a-f]{14}$")
        self.assertEqual((response.width, response.height), original_pil.size)
        self.assertGreaterEqual(response.psnr_db, 40.0)
        for stage in ("decode_micros", "embed_micros", "encode_micros"):
            self.assertGreater(getattr(response, stage), 0, stage)
        self.assertGreaterEqual(response.server_micros,
                                response.decode_micros + response.embed_micros)

    def assert_verified(self, marked, payload_id, space, **kwargs):
        found = self.detect_image(marked, **kwargs)
        self.assertTrue(found.verified, found)
        self.assertTrue(found.detected)
        self.assertEqual(found.payload_id, payload_id)
        self.assertEqual(found.key_id, KEY)
        self.assertEqual(found.space, space)
        self.assertEqual(found.scheme, "canonical-grid")
        self.assertEqual(found.geometry, "identity")
        self.assertLess(found.false_positive_probability, 1e-8)

    # --- each format, marked and detected

    def test_jpeg_in_jpeg_out(self):
        response = self.mark_image("e2e/mark", self.jpeg)
        original = pil(self.jpeg)
        self.assert_marked(response, "jpeg", original)
        marked = pil(response.image)
        self.assertEqual(marked.format, "JPEG")
        self.assertEqual(marked.size, original.size)
        self.assertGreater(psnr(original, marked), 30.0)  # includes JPEG re-encoding
        self.assert_verified(response.image, response.payload_id, "e2e/mark")

    def test_png_gray_in_png_out(self):
        response = self.mark_image("e2e/mark", self.png, format="png")
        original = pil(self.png)
        self.assert_marked(response, "png", original)
        marked = pil(response.image)
        self.assertEqual((marked.format, marked.mode), ("PNG", "L"))
        # Lossless output: Pillow's PSNR matches the one the sidecar reports.
        self.assertAlmostEqual(psnr(original, marked), response.psnr_db, delta=1.0)
        self.assert_verified(response.image, response.payload_id, "e2e/mark")

    def test_webp_in_webp_out(self):
        response = self.mark_image("e2e/mark", self.webp)
        self.assert_marked(response, "webp", pil(self.webp))
        self.assertEqual(pil(response.image).format, "WEBP")
        self.assert_verified(response.image, response.payload_id, "e2e/mark")

    def test_raw_in_raw_out(self):
        width, height = self.raw_size
        layout = D.RawImageLayout(width=width, height=height, channels=3)
        response = self.mark_image("e2e/mark", self.raw, format="raw", raw=layout)
        self.assertEqual(response.format, "raw")
        self.assertEqual((response.raw.width, response.raw.height, response.raw.channels,
                          response.raw.stride), (width, height, 3, width * 3))
        self.assertEqual(len(response.image), width * height * 3)
        original = Image.frombytes("RGB", (width, height), self.raw)
        marked = Image.frombytes("RGB", (width, height), response.image)
        self.assertAlmostEqual(psnr(original, marked), response.psnr_db, delta=1.0)
        self.assert_verified(response.image, response.payload_id, "e2e/mark", format="raw",
                             raw=response.raw)

    def test_output_format_override_and_policy_quality(self):
        response = self.mark_image("e2e/q60", self.jpeg, output_format="png")
        self.assertEqual(response.format, "png")
        self.assertEqual(pil(response.image).format, "PNG")
        as_jpeg = self.mark_image("e2e/q60", self.jpeg)
        self.assertEqual(as_jpeg.format, "jpeg")
        # Quality 60 output is smaller than the q85 input it came from.
        self.assertLess(len(as_jpeg.image), len(self.jpeg))
        self.assert_verified(as_jpeg.image, as_jpeg.payload_id, "e2e/q60")

    def test_survives_jpeg_75_by_another_encoder(self):
        response = self.mark_image("e2e/mark", self.jpeg, output_format="png")
        reencoded = convert(response.image, "JPEG", quality=75)
        self.assert_verified(reencoded, response.payload_id, "e2e/mark")

    # --- modes

    def test_off_returns_the_original_untouched(self):
        response = self.mark_image("e2e/off", self.jpeg)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_PASSED_THROUGH")
        self.assertEqual(D.Reason.Name(response.reason), "REASON_MODE_OFF")
        self.assertEqual(response.image, self.jpeg)
        self.assertEqual(response.format, "jpeg")

    def test_shadow_computes_but_returns_the_original(self):
        response = self.mark_image("e2e/shadow", self.png)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_SHADOWED")
        self.assertEqual(response.image, self.png)
        self.assertGreater(response.embed_micros, 0)
        self.assertGreater(response.psnr_db, 40.0)
        self.assertFalse(self.detect_image(response.image).verified)

    def test_enforce_marks_large_images_and_blocks_tiny_ones(self):
        response = self.mark_image("e2e/enforce", self.jpeg)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_MARKED")
        tiny = self.tiny_png()
        error = self.assert_rpc_error(grpc.StatusCode.FAILED_PRECONDITION, self.mark_image,
                                      "e2e/enforce", tiny)
        metadata = h.trailing_metadata(error)
        self.assertEqual(metadata.get("hallmark-reason"), "REASON_TOO_SHORT", metadata)
        self.assertIn("32x32", error.details())

    def test_mark_mode_passes_tiny_images_through(self):
        tiny = self.tiny_png()
        response = self.mark_image("e2e/mark", tiny)
        self.assertEqual(D.Decision.Name(response.decision), "DECISION_PASSED_THROUGH")
        self.assertEqual(D.Reason.Name(response.reason), "REASON_TOO_SHORT")
        self.assertEqual(response.image, tiny)

    def tiny_png(self):
        out = io.BytesIO()
        Image.new("RGB", (32, 32), (120, 60, 30)).save(out, "PNG")
        return out.getvalue()

    # --- detection

    def test_unmarked_photos_do_not_verify(self):
        for name in ("astronaut.jpg", "coffee.jpg", "rocket.jpg", "chelsea.jpg", "coins.png"):
            with self.subTest(image=name):
                found = self.detect_image(read(name))
                self.assertFalse(found.verified)
                self.assertEqual(found.payload_id, "")
                self.assertEqual(found.scheme, "canonical-grid")

    # --- bad input

    def test_bad_images_get_precise_statuses(self):
        width, height = self.raw_size
        cases = [
            ("empty", dict(image=b""), grpc.StatusCode.INVALID_ARGUMENT, "empty"),
            ("not an image", dict(image=b"hello, world" * 10), grpc.StatusCode.INVALID_ARGUMENT,
             "not PNG, JPEG or WebP"),
            ("truncated", dict(image=read("truncated.jpg")), grpc.StatusCode.INVALID_ARGUMENT,
             ""),
            ("cut in half", dict(image=self.jpeg[: len(self.jpeg) // 2]),
             grpc.StatusCode.INVALID_ARGUMENT, ""),
            ("format contradicts bytes", dict(image=self.jpeg, format="png"),
             grpc.StatusCode.INVALID_ARGUMENT, "format says png"),
            ("unknown format", dict(image=self.jpeg, format="gif"),
             grpc.StatusCode.INVALID_ARGUMENT, "format \"gif\""),
            ("unknown output format", dict(image=self.jpeg, output_format="bmp"),
             grpc.StatusCode.INVALID_ARGUMENT, "output_format"),
            ("raw without layout", dict(image=self.raw, format="raw"),
             grpc.StatusCode.INVALID_ARGUMENT, "raw.width"),
            ("raw too short", dict(image=self.raw[:1000], format="raw",
                                   raw=D.RawImageLayout(width=width, height=height, channels=3)),
             grpc.StatusCode.INVALID_ARGUMENT, ""),
            ("raw bad channels", dict(image=self.raw, format="raw",
                                      raw=D.RawImageLayout(width=width, height=height, channels=2)),
             grpc.StatusCode.INVALID_ARGUMENT, "channels"),
        ]
        for name, fields, code, fragment in cases:
            with self.subTest(case=name):
                error = self.assert_rpc_error(code, self.mark_image, "e2e/mark", **fields)
                self.assertIn(fragment, error.details())
                self.assertNotEqual(error.details(), "")

    def test_space_limits_refuse_large_images(self):
        error = self.assert_rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, self.mark_image,
                                      "e2e/small-limit", self.jpeg)
        self.assertIn("pixels", error.details())
        big = self.jpeg + b"\0" * 200_000
        error = self.assert_rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, self.mark_image,
                                      "e2e/small-limit", big)
        self.assertIn("image.max_bytes", error.details())

    def test_detect_refuses_corrupt_images(self):
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.detect_image,
                              read("truncated.jpg"))
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.detect_image, b"\x89PNG")

    # --- metrics

    def test_stage_times_and_psnr_are_exported(self):
        self.mark_image("e2e/mark", self.png)
        samples = self.daemon.metrics()
        for stage in ("decode", "embed", "encode"):
            self.assertGreater(h.metric_sum(samples, "hallmark_stage_seconds_count",
                                            modality="image", stage=stage), 0, stage)
        self.assertGreater(h.metric_sum(samples, "hallmark_image_psnr_db_count"), 0)
        self.assertGreater(h.metric_sum(samples, "hallmark_requests_total", modality="image",
                                        space="e2e/mark", decision="marked"), 0)
        self.assertGreater(h.metric_sum(samples, "hallmark_added_latency_seconds_count",
                                        modality="image", scheme="canonical-grid"), 0)


if __name__ == "__main__":
    unittest.main()
