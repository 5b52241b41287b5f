// Probing, limits and hostile inputs: every malformed image must come back as
// INVALID_ARGUMENT (or RESOURCE_EXHAUSTED for over-limit headers), never crash.
#include "watermark/image/codec/image_format.h"

#include <chrono>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::image {
namespace {

using testing::MakeImage;
using testing::Pattern;

std::string Be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

// Signature + IHDR (CRC left zero: the probe does not need it) and nothing else.
std::string PngHeader(uint32_t w, uint32_t h) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += Be32(13) + "IHDR" + Be32(w) + Be32(h);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  png += Be32(0);
  return png;
}

TEST(ProbeTest, SniffsMagicBytes) {
  EXPECT_EQ(SniffImageFormat(PngHeader(1, 1)), ImageFormat::kPng);
  EXPECT_EQ(SniffImageFormat(std::string("\xff\xd8\xff\xe0", 4)), ImageFormat::kJpeg);
  EXPECT_EQ(SniffImageFormat(std::string("RIFF\0\0\0\0WEBPVP8 ", 16)), ImageFormat::kWebp);
  EXPECT_EQ(SniffImageFormat("GIF89a"), ImageFormat::kUnknown);
  EXPECT_EQ(SniffImageFormat(""), ImageFormat::kUnknown);
}

TEST(ProbeTest, HugePngHeaderIsRefusedBeforeDecoding) {
  const std::string png = PngHeader(100000, 100000);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ImageInfo> info = ProbeImage(png);
  absl::StatusOr<DecodedImage> decoded = DecodeImage(png);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(info.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(info.status().message().find("max_width"), std::string::npos) << info.status();
  EXPECT_NE(info.status().message().find("100000"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::milliseconds(50));
}

TEST(ProbeTest, EachLimitIsNamed) {
  const std::string png = PngHeader(5000, 5000);
  ImageLimits limits;
  limits.max_pixels = 1'000'000;
  absl::StatusOr<ImageInfo> info = ProbeImage(png, limits);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(info.status().message().find("max_pixels"), std::string::npos) << info.status();
  limits = {};
  limits.max_height = 100;
  info = ProbeImage(PngHeader(50, 101), limits);
  EXPECT_NE(info.status().message().find("max_height"), std::string::npos) << info.status();
  limits = {};
  limits.max_bytes = 10;
  info = ProbeImage(png, limits);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(info.status().message().find("max_bytes"), std::string::npos) << info.status();
}

TEST(ProbeTest, LimitsFromEveryFormatHeader) {
  Image image = MakeImage(300, 200, ColorModel::kRgb, Pattern::kGradient);
  ImageLimits limits;
  limits.max_width = 299;
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
    EncodeOptions options;
    options.format = format;
    absl::StatusOr<std::string> bytes = EncodeImage(image, {}, options);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(ProbeImage(*bytes, limits).status().code(), absl::StatusCode::kResourceExhausted)
        << ImageFormatName(format);
    EXPECT_EQ(DecodeImage(*bytes, limits).status().code(), absl::StatusCode::kResourceExhausted);
  }
}

TEST(ProbeTest, HeaderOnlyFilesAreInvalid) {
  EXPECT_EQ(ProbeImage("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeImage("hello world").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeImage(PngHeader(10, 10)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeImage(PngHeader(10, 10)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeImage(std::string("\xff\xd8\xff", 3)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeImage(std::string("RIFF\x04\0\0\0WEBP", 12)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// One small encoded file per format and layout for the hostile-input tests.
std::vector<std::pair<std::string, std::string>> Samples() {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const std::string& name, const Image& image, EncodeOptions options,
                    const ImageMetadata& md = {}) {
    absl::StatusOr<std::string> bytes = EncodeImage(image, md, options);
    EXPECT_TRUE(bytes.ok()) << name << ": " << bytes.status();
    if (bytes.ok()) out.emplace_back(name, *bytes);
  };
  ImageMetadata md;
  md.icc_profile = testing::TestIcc(300);
  md.exif = testing::TestExif();
  EncodeOptions png, jpeg, jpeg_prog, webp, webp_ll;
  png.format = ImageFormat::kPng;
  jpeg.format = jpeg_prog.format = ImageFormat::kJpeg;
  jpeg_prog.jpeg_coding = JpegCoding::kProgressive;
  webp.format = webp_ll.format = ImageFormat::kWebp;
  webp.webp_lossless = 0;
  webp_ll.webp_lossless = 1;
  add("png-rgb8", MakeImage(40, 24, ColorModel::kRgb, Pattern::kPhotoLike), png, md);
  add("png-ga16", MakeImage(17, 9, ColorModel::kGrayAlpha, Pattern::kNoise, 16), png);
  add("jpeg", MakeImage(40, 24, ColorModel::kRgb, Pattern::kPhotoLike), jpeg, md);
  add("jpeg-prog", MakeImage(40, 24, ColorModel::kRgb, Pattern::kPhotoLike), jpeg_prog);
  add("webp-lossy", MakeImage(40, 24, ColorModel::kRgba, Pattern::kPhotoLike), webp, md);
  add("webp-lossless", MakeImage(40, 24, ColorModel::kRgb, Pattern::kNoise), webp_ll);
  return out;
}

TEST(HostileInputTest, EveryTruncationIsInvalidArgument) {
  for (const auto& [name, bytes] : Samples()) {
    ASSERT_TRUE(DecodeImage(bytes).ok()) << name << ": " << DecodeImage(bytes).status();
    // Every cut for the first 64 bytes and the last 64, random ones between.
    std::vector<size_t> cuts;
    for (size_t i = 0; i < bytes.size() && i < 64; ++i) cuts.push_back(i);
    for (size_t i = bytes.size() > 64 ? bytes.size() - 64 : 0; i < bytes.size(); ++i) {
      cuts.push_back(i);
    }
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) cuts.push_back(rng() % bytes.size());
    for (size_t cut : cuts) {
      absl::StatusOr<DecodedImage> d = DecodeImage(bytes.substr(0, cut));
      ASSERT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument)
          << name << " cut at " << cut << " of " << bytes.size() << ": " << d.status();
      EXPECT_FALSE(d.status().message().empty());
    }
  }
}

TEST(HostileInputTest, ByteFlipsNeverCrash) {
  for (const auto& [name, bytes] : Samples()) {
    int refused = 0;
    for (uint32_t seed = 0; seed < 400; ++seed) {
      std::mt19937 rng(seed);
      std::string bad = bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) {
        bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      absl::StatusOr<DecodedImage> d = DecodeImage(bad);
      const absl::StatusCode code = d.status().code();
      ASSERT_TRUE(code == absl::StatusCode::kOk || code == absl::StatusCode::kInvalidArgument ||
                  code == absl::StatusCode::kResourceExhausted)
          << name << " seed " << seed << ": " << d.status();
      if (!d.ok()) ++refused;
    }
    // Headers, CRCs and chunk structure catch most flips.
    EXPECT_GT(refused, 0) << name;
  }
}

TEST(HostileInputTest, RandomBytesBehindMagicNeverCrash) {
  const std::string magics[] = {std::string("\x89PNG\r\n\x1a\n", 8), std::string("\xff\xd8\xff", 3),
                                std::string("RIFF\x40\0\0\0WEBPVP8L", 16),
                                std::string("RIFF\x40\0\0\0WEBPVP8X", 16)};
  for (uint32_t seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes = magics[seed % 4];
    const size_t extra = rng() % 200;
    for (size_t i = 0; i < extra; ++i) bytes.push_back(static_cast<char>(rng()));
    absl::StatusOr<DecodedImage> d = DecodeImage(bytes);
    const absl::StatusCode code = d.status().code();
    ASSERT_TRUE(code == absl::StatusCode::kOk || code == absl::StatusCode::kInvalidArgument ||
                code == absl::StatusCode::kResourceExhausted)
        << seed << ": " << d.status();
  }
}

}  // namespace
}  // namespace hallmark::image
