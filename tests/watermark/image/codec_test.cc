#include <spng.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::image {
namespace {

using testing::MakeImage;
using testing::MaxDiff16;
using testing::Pattern;
using testing::Psnr;

std::string Encode(const Image& image, ImageFormat format, EncodeOptions options = {},
                   const ImageMetadata& metadata = {}) {
  options.format = format;
  absl::StatusOr<std::string> out = EncodeImage(image, metadata, options);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::string();
}

DecodedImage Decode(const std::string& bytes) {
  absl::StatusOr<DecodedImage> out = DecodeImage(bytes);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : DecodedImage{};
}

// ---- PNG ----------------------------------------------------------------

class PngRoundTrip : public ::testing::TestWithParam<std::tuple<ColorModel, int>> {};

TEST_P(PngRoundTrip, IsExact) {
  const auto [model, depth] = GetParam();
  for (Pattern pattern : {Pattern::kGradient, Pattern::kNoise, Pattern::kFlat}) {
    Image image = MakeImage(67, 33, model, pattern, depth);
    const std::string png = Encode(image, ImageFormat::kPng);
    absl::StatusOr<ImageInfo> info = ProbeImage(png);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->format, ImageFormat::kPng);
    EXPECT_EQ(info->width, 67);
    EXPECT_EQ(info->height, 33);
    EXPECT_EQ(info->channels, image.channels());
    EXPECT_EQ(info->bit_depth, depth);
    DecodedImage decoded = Decode(png);
    ASSERT_FALSE(decoded.pixels.empty());
    EXPECT_EQ(decoded.pixels.color_model(), model);
    EXPECT_EQ(decoded.pixels.bit_depth(), depth);
    EXPECT_EQ(decoded.metadata.source_format, ImageFormat::kPng);
    EXPECT_EQ(decoded.metadata.png_bit_depth, depth);
    EXPECT_EQ(MaxDiff16(image, decoded.pixels), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, PngRoundTrip,
                         ::testing::Combine(::testing::Values(ColorModel::kGray,
                                                              ColorModel::kGrayAlpha,
                                                              ColorModel::kRgb, ColorModel::kRgba),
                                            ::testing::Values(8, 16)));

// Writes an 8-bit palette PNG (with tRNS when `alpha`) straight with libspng.
std::string MakePalettePng(int w, int h, bool alpha, spng_plte* plte, spng_trns* trns,
                           std::vector<uint8_t>* indices) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = w;
  ihdr.height = h;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_INDEXED;
  spng_set_ihdr(ctx, &ihdr);
  plte->n_entries = 16;
  for (int i = 0; i < 16; ++i) {
    plte->entries[i].red = static_cast<uint8_t>(i * 16);
    plte->entries[i].green = static_cast<uint8_t>(255 - i * 16);
    plte->entries[i].blue = static_cast<uint8_t>(i * 7);
  }
  spng_set_plte(ctx, plte);
  if (alpha) {
    trns->n_type3_entries = 16;
    for (int i = 0; i < 16; ++i) trns->type3_alpha[i] = static_cast<uint8_t>(i * 17);
    spng_set_trns(ctx, trns);
  }
  indices->resize(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < indices->size(); ++i) (*indices)[i] = static_cast<uint8_t>((i * 7) % 16);
  int rc =
      spng_encode_image(ctx, indices->data(), indices->size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  EXPECT_EQ(rc, 0) << spng_strerror(rc);
  size_t len = 0;
  int error = 0;
  char* buf = static_cast<char*>(spng_get_png_buffer(ctx, &len, &error));
  std::string out(buf, len);
  free(buf);
  spng_ctx_free(ctx);
  return out;
}

TEST(PngCodecTest, PaletteExpandsToRgbAndRgba) {
  for (bool alpha : {false, true}) {
    spng_plte plte{};
    spng_trns trns{};
    std::vector<uint8_t> indices;
    const std::string png = MakePalettePng(21, 13, alpha, &plte, &trns, &indices);
    absl::StatusOr<ImageInfo> info = ProbeImage(png);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->channels, alpha ? 4 : 3);
    DecodedImage d = Decode(png);
    ASSERT_EQ(d.pixels.channels(), alpha ? 4 : 3);
    EXPECT_TRUE(d.metadata.png_palette);
    for (int y = 0; y < 13; ++y) {
      for (int x = 0; x < 21; ++x) {
        const int i = indices[y * 21 + x];
        EXPECT_EQ(d.pixels.Row(0, y)[x], plte.entries[i].red);
        EXPECT_EQ(d.pixels.Row(1, y)[x], plte.entries[i].green);
        EXPECT_EQ(d.pixels.Row(2, y)[x], plte.entries[i].blue);
        if (alpha) {
          EXPECT_EQ(d.pixels.Row(3, y)[x], trns.type3_alpha[i]);
        }
      }
    }
    // And re-encodes as plain RGB(A), exactly.
    DecodedImage again = Decode(Encode(d.pixels, ImageFormat::kPng));
    EXPECT_EQ(MaxDiff16(d.pixels, again.pixels), 0);
  }
}

// Encodes `data` (already in PNG sample layout) with libspng directly, for
// layouts our encoder never writes: sub-byte gray, tRNS, Adam7.
std::string RawPng(spng_ihdr ihdr, const std::vector<uint8_t>& data, const spng_trns* trns) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_set_ihdr(ctx, &ihdr);
  if (trns != nullptr) spng_set_trns(ctx, const_cast<spng_trns*>(trns));
  int rc = spng_encode_image(ctx, data.data(), data.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  EXPECT_EQ(rc, 0) << spng_strerror(rc);
  size_t len = 0;
  int error = 0;
  char* buf = static_cast<char*>(spng_get_png_buffer(ctx, &len, &error));
  std::string out = buf != nullptr ? std::string(buf, len) : std::string();
  free(buf);
  spng_ctx_free(ctx);
  return out;
}

TEST(PngCodecTest, SubByteGrayScalesTo8Bit) {
  // 4-bit gray, 8 pixels per row = 4 bytes per row, values 0..15.
  spng_ihdr ihdr{};
  ihdr.width = 8;
  ihdr.height = 2;
  ihdr.bit_depth = 4;
  ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE;
  std::vector<uint8_t> data = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  const std::string png = RawPng(ihdr, data, nullptr);
  DecodedImage d = Decode(png);
  ASSERT_EQ(d.pixels.color_model(), ColorModel::kGray);
  EXPECT_EQ(d.metadata.png_bit_depth, 4);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(d.pixels.Row(0, i / 8)[i % 8], i * 17) << i;
}

TEST(PngCodecTest, GrayAndRgbTrnsBecomeAlpha) {
  spng_ihdr ihdr{};
  ihdr.width = 3;
  ihdr.height = 1;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE;
  spng_trns trns{};
  trns.gray = 20;
  DecodedImage g = Decode(RawPng(ihdr, {10, 20, 30}, &trns));
  ASSERT_EQ(g.pixels.color_model(), ColorModel::kGrayAlpha);
  EXPECT_EQ(g.pixels.Row(1, 0)[0], 255);
  EXPECT_EQ(g.pixels.Row(1, 0)[1], 0);
  EXPECT_EQ(g.pixels.Row(1, 0)[2], 255);
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  trns.red = 1;
  trns.green = 2;
  trns.blue = 3;
  DecodedImage c = Decode(RawPng(ihdr, {1, 2, 3, 1, 2, 4, 9, 9, 9}, &trns));
  ASSERT_EQ(c.pixels.color_model(), ColorModel::kRgba);
  EXPECT_EQ(c.pixels.Row(3, 0)[0], 0);
  EXPECT_EQ(c.pixels.Row(3, 0)[1], 255);
  EXPECT_EQ(c.pixels.Row(2, 0)[1], 4);
}

TEST(PngCodecTest, InterlacedDecodes) {
  Image image = MakeImage(19, 11, ColorModel::kRgb, Pattern::kNoise);
  spng_ihdr ihdr{};
  ihdr.width = 19;
  ihdr.height = 11;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  ihdr.interlace_method = SPNG_INTERLACE_ADAM7;
  std::vector<uint8_t> data;
  for (int y = 0; y < 11; ++y)
    for (int x = 0; x < 19; ++x)
      for (int c = 0; c < 3; ++c) data.push_back(static_cast<uint8_t>(image.Row(c, y)[x]));
  const std::string png = RawPng(ihdr, data, nullptr);
  if (png.empty()) GTEST_SKIP() << "libspng cannot write Adam7";
  absl::StatusOr<ImageInfo> info = ProbeImage(png);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->progressive);
  EXPECT_EQ(MaxDiff16(image, Decode(png).pixels), 0);
}

TEST(PngCodecTest, DecodedRowPaddingIsZero) {
  Image image = MakeImage(37, 5, ColorModel::kRgba, Pattern::kNoise);
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
    DecodedImage d = Decode(Encode(image, format));
    ASSERT_GT(d.pixels.row_stride(), 37u);
    for (int c = 0; c < d.pixels.channels(); ++c) {
      for (int y = 0; y < 5; ++y) {
        for (size_t x = 37; x < d.pixels.row_stride(); ++x) {
          ASSERT_EQ(d.pixels.Row(c, y)[x], 0.0f) << ImageFormatName(format);
        }
      }
    }
  }
}

TEST(PngCodecTest, CompressionLevelsAllDecode) {
  Image image = MakeImage(128, 64, ColorModel::kRgb, Pattern::kPhotoLike);
  for (int level : {0, 1, 3, 9}) {
    for (bool fast : {true, false}) {
      EncodeOptions options;
      options.png_compression_level = level;
      options.png_fast = fast;
      EXPECT_EQ(MaxDiff16(image, Decode(Encode(image, ImageFormat::kPng, options)).pixels), 0);
    }
  }
}

// ---- JPEG ---------------------------------------------------------------

struct JpegCase {
  ChromaSubsampling subsampling;
  JpegCoding coding;
};

class JpegRoundTrip : public ::testing::TestWithParam<JpegCase> {};

TEST_P(JpegRoundTrip, KeepsSubsamplingAndCodingWithGoodPsnr) {
  const JpegCase c = GetParam();
  Image image = MakeImage(160, 120, ColorModel::kRgb, Pattern::kPhotoLike);
  EncodeOptions options;
  options.jpeg_quality = 90;
  options.chroma_subsampling = c.subsampling;
  options.jpeg_coding = c.coding;
  const std::string jpeg = Encode(image, ImageFormat::kJpeg, options);
  absl::StatusOr<ImageInfo> info = ProbeImage(jpeg);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->format, ImageFormat::kJpeg);
  EXPECT_EQ(info->channels, 3);
  EXPECT_EQ(info->progressive, c.coding == JpegCoding::kProgressive);
  DecodedImage d = Decode(jpeg);
  EXPECT_EQ(d.metadata.chroma_subsampling, c.subsampling);
  EXPECT_EQ(d.metadata.jpeg_progressive, c.coding == JpegCoding::kProgressive);
  EXPECT_GT(Psnr(image, d.pixels, 3), 36.0);
  // Re-encoding with defaults keeps what the input had.
  DecodedImage again = Decode(Encode(d.pixels, ImageFormat::kJpeg, {}, d.metadata));
  EXPECT_EQ(again.metadata.chroma_subsampling, c.subsampling);
  EXPECT_EQ(again.metadata.jpeg_progressive, c.coding == JpegCoding::kProgressive);
  EXPECT_EQ(again.metadata.jpeg_quality, d.metadata.jpeg_quality);
  EXPECT_GT(Psnr(d.pixels, again.pixels, 3), 38.0);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, JpegRoundTrip,
    ::testing::Values(JpegCase{ChromaSubsampling::k420, JpegCoding::kBaseline},
                      JpegCase{ChromaSubsampling::k420, JpegCoding::kProgressive},
                      JpegCase{ChromaSubsampling::k444, JpegCoding::kBaseline},
                      JpegCase{ChromaSubsampling::k444, JpegCoding::kProgressive},
                      JpegCase{ChromaSubsampling::k422, JpegCoding::kBaseline}));

TEST(JpegCodecTest, QualityEstimateWithinFive) {
  Image image = MakeImage(96, 64, ColorModel::kRgb, Pattern::kPhotoLike);
  for (int q : {50, 75, 90, 30, 95}) {
    EncodeOptions options;
    options.jpeg_quality = q;
    DecodedImage d = Decode(Encode(image, ImageFormat::kJpeg, options));
    EXPECT_NEAR(d.metadata.jpeg_quality, q, 5) << "quality " << q;
  }
}

TEST(JpegCodecTest, GrayStaysGrayAndAlphaIsDropped) {
  Image gray = MakeImage(50, 40, ColorModel::kGray, Pattern::kGradient);
  DecodedImage d = Decode(Encode(gray, ImageFormat::kJpeg));
  EXPECT_EQ(d.pixels.color_model(), ColorModel::kGray);
  EXPECT_EQ(d.metadata.chroma_subsampling, ChromaSubsampling::kGray);
  EXPECT_GT(Psnr(gray, d.pixels, 1), 40.0);
  Image rgba = MakeImage(50, 40, ColorModel::kRgba, Pattern::kGradient);
  DecodedImage d2 = Decode(Encode(rgba, ImageFormat::kJpeg));
  EXPECT_EQ(d2.pixels.color_model(), ColorModel::kRgb);
}

// ---- WebP ---------------------------------------------------------------

TEST(WebpCodecTest, LossyRoundTrip) {
  for (ColorModel model : {ColorModel::kRgb, ColorModel::kRgba}) {
    Image image = MakeImage(90, 70, model, Pattern::kPhotoLike);
    EncodeOptions options;
    options.webp_quality = 90;
    options.webp_lossless = 0;
    const std::string webp = Encode(image, ImageFormat::kWebp, options);
    absl::StatusOr<ImageInfo> info = ProbeImage(webp);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->width, 90);
    EXPECT_EQ(info->height, 70);
    EXPECT_EQ(info->channels, image.channels());
    DecodedImage d = Decode(webp);
    EXPECT_EQ(d.pixels.color_model(), model);
    EXPECT_FALSE(d.metadata.webp_lossless);
    EXPECT_GT(Psnr(image, d.pixels, 3), 32.0);
  }
}

TEST(WebpCodecTest, LosslessRoundTripIsExact) {
  for (ColorModel model : {ColorModel::kRgb, ColorModel::kRgba}) {
    for (Pattern pattern : {Pattern::kNoise, Pattern::kGradient}) {
      Image image = MakeImage(45, 31, model, pattern);
      EncodeOptions options;
      options.webp_lossless = 1;
      const std::string webp = Encode(image, ImageFormat::kWebp, options);
      DecodedImage d = Decode(webp);
      EXPECT_TRUE(d.metadata.webp_lossless);
      EXPECT_EQ(d.pixels.color_model(), model);
      EXPECT_EQ(MaxDiff16(image, d.pixels), 0);
      // Lossless in, lossless out by default.
      DecodedImage again = Decode(Encode(d.pixels, ImageFormat::kUnknown, {}, d.metadata));
      EXPECT_TRUE(again.metadata.webp_lossless);
      EXPECT_EQ(MaxDiff16(image, again.pixels), 0);
    }
  }
}

// ---- Raw ----------------------------------------------------------------

TEST(RawCodecTest, RoundTripWithStride) {
  for (int channels : {3, 4}) {
    const int w = 13, h = 7, stride = w * channels + 5;
    std::string raw(static_cast<size_t>(stride) * h, '\0');
    std::mt19937 rng(channels);
    for (char& ch : raw) ch = static_cast<char>(rng());
    absl::StatusOr<DecodedImage> d = DecodeRaw(raw, {w, h, channels, stride});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->pixels.channels(), channels);
    const std::string packed = Encode(d->pixels, ImageFormat::kRaw);
    ASSERT_EQ(packed.size(), static_cast<size_t>(w * channels * h));
    for (int y = 0; y < h; ++y) {
      EXPECT_EQ(packed.substr(y * w * channels, w * channels),
                raw.substr(y * stride, w * channels));
    }
  }
}

TEST(RawCodecTest, RejectsBadLayouts) {
  const std::string raw(100, 'x');
  EXPECT_EQ(DecodeRaw(raw, {10, 10, 3, 0}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeRaw(raw, {2, 2, 2, 0}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeRaw(raw, {4, 2, 3, 5}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeRaw(raw, {0, 2, 3, 0}).status().code(), absl::StatusCode::kInvalidArgument);
  ImageLimits limits;
  limits.max_width = 3;
  EXPECT_EQ(DecodeRaw(raw, {4, 2, 3, 0}, limits).status().code(),
            absl::StatusCode::kResourceExhausted);
}

// ---- Metadata -----------------------------------------------------------

TEST(MetadataTest, IccAndExifSurviveEveryFormat) {
  Image image = MakeImage(40, 30, ColorModel::kRgb, Pattern::kPhotoLike);
  // 70 KB forces the JPEG profile across two APP2 chunks.
  for (size_t icc_size : {size_t{560}, size_t{70000}}) {
    ImageMetadata md;
    md.icc_profile = testing::TestIcc(icc_size);
    md.exif = testing::TestExif();
    for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
      SCOPED_TRACE(std::string(ImageFormatName(format)) + " icc " + std::to_string(icc_size));
      DecodedImage d = Decode(Encode(image, format, {}, md));
      EXPECT_EQ(d.metadata.source_format, format);
      EXPECT_TRUE(d.metadata.icc_profile == md.icc_profile);
      EXPECT_EQ(d.metadata.exif, md.exif);
      // And through a second generation, converted to each other format.
      for (ImageFormat to : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
        DecodedImage d2 = Decode(Encode(d.pixels, to, {}, d.metadata));
        EXPECT_TRUE(d2.metadata.icc_profile == md.icc_profile);
        EXPECT_EQ(d2.metadata.exif, md.exif);
      }
    }
  }
}

TEST(MetadataTest, ExifOrientationIsReadSafely) {
  const std::string le = testing::TestExif();
  EXPECT_EQ(ExifOrientation(le), 6);
  // The same block big-endian.
  const unsigned char kBe[] = {'M', 'M', 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
                               0,   0,   0, 1,    0, 3, 0, 0, 0, 0, 0,    0,    0, 0};
  EXPECT_EQ(ExifOrientation(std::string(reinterpret_cast<const char*>(kBe), sizeof(kBe))), 3);
  EXPECT_EQ(ExifOrientation(""), 0);
  EXPECT_EQ(ExifOrientation("Exif"), 0);
  for (size_t cut = 0; cut < le.size(); ++cut) {
    const int o = ExifOrientation(le.substr(0, cut));
    EXPECT_TRUE(o == 0 || o == 6) << cut;
  }
  EXPECT_EQ(ExifOrientation(le.substr(0, 20)), 0);  // entry cut short
  std::string bad = le;
  bad[4] = static_cast<char>(0xff);  // IFD0 offset past the end
  EXPECT_EQ(ExifOrientation(bad), 0);
  // Kept through an encode/decode cycle.
  ImageMetadata md;
  md.exif = le;
  Image image = MakeImage(8, 8, ColorModel::kRgb, Pattern::kFlat);
  EXPECT_EQ(ExifOrientation(Decode(Encode(image, ImageFormat::kJpeg, {}, md)).metadata.exif), 6);
}

TEST(MetadataTest, EncodeRefusesYCbCr) {
  Image image = MakeImage(8, 8, ColorModel::kRgb, Pattern::kFlat);
  ASSERT_TRUE(ConvertRgbToYCbCr(&image).ok());
  EXPECT_EQ(EncodeImage(image, {}, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hallmark::image
