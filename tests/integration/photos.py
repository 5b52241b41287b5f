"""The public-domain test photos (tests/data/images) and Pillow, an
independent codec, to re-encode them: shared by the image end-to-end tests."""
import io
import os

from PIL import Image

import hallmark_harness as h

IMAGES = os.path.join(h.SOURCE_DIR, "tests", "data", "images")


def read(name):
    """The bytes of tests/data/images/NAME."""
    with open(os.path.join(IMAGES, name), "rb") as f:
        return f.read()


def convert(data, fmt, **options):
    """Re-encodes `data` with Pillow (RGB) as `fmt`."""
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, fmt, **options)
    return out.getvalue()
