// The png_fast writer (watermark/image/codec/png_writer.h): rows deflated in
// bands by several threads must still make one valid PNG of the same
// pixels, whatever the size, layout, level and thread count.
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/image/codec/png_writer.h"

namespace hallmark::image {
namespace {

using internal::FastPngOptions;
using internal::FastPngPlan;
using internal::kIdatChunkBytes;
using internal::PlanFastPng;
using internal::WriteFastPng;
using testing::MakeImage;
using testing::MaxDiff16;
using testing::Pattern;

constexpr ColorModel kModels[] = {ColorModel::kGray, ColorModel::kGrayAlpha, ColorModel::kRgb,
                                  ColorModel::kRgba};

uint32_t Be32(const std::string& s, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

struct Chunk {
  std::string type;
  std::string data;
};

// Splits a PNG into its chunks, checking the signature, every length and
// CRC-32, and that nothing follows IEND.
std::vector<Chunk> ParseChunks(const std::string& png) {
  std::vector<Chunk> chunks;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const size_t len = Be32(png, pos);
    if (pos + 12 + len > png.size()) {
      ADD_FAILURE() << "chunk runs past the end at " << pos;
      return chunks;
    }
    Chunk c{png.substr(pos + 4, 4), png.substr(pos + 8, len)};
    const uLong crc =
        crc32(0, reinterpret_cast<const Bytef*>(png.data() + pos + 4), static_cast<uInt>(len + 4));
    EXPECT_EQ(crc, Be32(png, pos + 8 + len)) << c.type << " at " << pos;
    pos += 12 + len;
    chunks.push_back(std::move(c));
    if (chunks.back().type == "IEND") break;
  }
  EXPECT_EQ(pos, png.size()) << "bytes after IEND, or no IEND";
  return chunks;
}

// The chunk types in order, consecutive IDATs as one.
std::string ChunkOrder(const std::vector<Chunk>& chunks) {
  std::string order;
  for (const Chunk& c : chunks) {
    if (c.type == "IDAT" && order.size() >= 4 && order.substr(order.size() - 4) == "IDAT") {
      continue;
    }
    order += c.type;
  }
  return order;
}

// Inflates a zlib stream (Adler-32 checked by zlib); fails the test unless
// the stream ends exactly at the end of `z`.
std::string Inflate(const std::string& z) {
  z_stream zs{};
  EXPECT_EQ(inflateInit(&zs), Z_OK);
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  zs.avail_in = static_cast<uInt>(z.size());
  int rc = Z_OK;
  char buf[1 << 16];
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << (zs.msg != nullptr ? zs.msg : "");
  EXPECT_EQ(zs.avail_in, 0u) << "bytes after the zlib stream";
  inflateEnd(&zs);
  return out;
}

// The filtered rows the writer should produce, computed independently: the
// samples interleaved (16-bit big-endian), each row SUB-filtered behind a
// filter-type byte 1.
std::string ExpectedFilteredRows(const Image& image) {
  const bool sixteen = image.bit_depth() == 16;
  const int channels = image.channels();
  const size_t bpp = static_cast<size_t>(channels) * (sixteen ? 2 : 1);
  std::string out;
  std::vector<unsigned char> raw(static_cast<size_t>(image.width()) * bpp);
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      for (int c = 0; c < channels; ++c) {
        const float v = image.Row(c, y)[x];
        const size_t at = static_cast<size_t>(x) * bpp;
        if (sixteen) {
          const long q = std::lround(v * 257.0f);
          raw[at + 2 * c] = static_cast<unsigned char>(q >> 8);
          raw[at + 2 * c + 1] = static_cast<unsigned char>(q);
        } else {
          raw[at + c] = static_cast<unsigned char>(std::lround(v));
        }
      }
    }
    out.push_back(1);
    for (size_t i = 0; i < raw.size(); ++i) {
      out.push_back(static_cast<char>(i < bpp ? raw[i] : raw[i] - raw[i - bpp]));
    }
  }
  return out;
}

std::string IdatStream(const std::vector<Chunk>& chunks) {
  std::string z;
  for (const Chunk& c : chunks) {
    if (c.type == "IDAT") {
      EXPECT_LE(c.data.size(), kIdatChunkBytes);
      z += c.data;
    }
  }
  return z;
}

absl::StatusOr<std::string> EncodeFast(const Image& image, int threads, int level = 1,
                                       const ImageMetadata& metadata = {}) {
  EncodeOptions options;
  options.format = ImageFormat::kPng;
  options.png_threads = threads;
  options.png_compression_level = level;
  return EncodeImage(image, metadata, options);
}

// ---- Properties over random images -------------------------------------

// Random sizes (thin, tiny, odd), layouts, depths, levels, thread counts and
// band sizes (down to one row per band): the file is well-formed chunk by
// chunk, the zlib stream inflates to exactly the expected filtered rows, and
// libspng decodes the input pixels.
TEST(PngEncodeTest, RandomImagesRoundTripInAnyNumberOfBands) {
  std::mt19937 rng(20240611);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int multi_band = 0;
  for (int seed = 0; seed < 300; ++seed) {
    int w = uniform(1, 160);
    int h = uniform(1, 160);
    switch (seed % 6) {
      case 0:
        w = 1;
        break;
      case 1:
        h = 1;
        break;
      case 2:
        h = uniform(1, 7);  // fewer rows than threads
        break;
      default:
        break;
    }
    const ColorModel model = kModels[uniform(0, 3)];
    const int depth = uniform(0, 1) == 1 ? 16 : 8;
    const auto pattern = static_cast<Pattern>(uniform(0, 3));
    FastPngOptions options;
    options.threads = uniform(1, 4);
    options.level = uniform(0, 9);
    constexpr size_t kBandBytes[] = {1, 100, 4096, internal::kMinBandBytes};
    options.min_band_bytes = kBandBytes[uniform(0, 3)];
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed << " " << w << "x" << h << " channels " << ChannelCount(model)
                 << " depth " << depth << " threads " << options.threads << " level "
                 << options.level << " band bytes " << options.min_band_bytes);
    const Image image = MakeImage(w, h, model, pattern, depth, static_cast<uint32_t>(seed));
    multi_band += PlanFastPng(image, options).bands > 1 ? 1 : 0;

    absl::StatusOr<std::string> png = WriteFastPng(image, ImageMetadata{}, options);
    ASSERT_TRUE(png.ok()) << png.status();
    const std::vector<Chunk> chunks = ParseChunks(*png);
    EXPECT_EQ(ChunkOrder(chunks), "IHDRIDATIEND");
    EXPECT_TRUE(Inflate(IdatStream(chunks)) == ExpectedFilteredRows(image));

    absl::StatusOr<DecodedImage> decoded = DecodeImage(*png);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->pixels.color_model(), model);
    EXPECT_EQ(decoded->pixels.bit_depth(), depth);
    EXPECT_EQ(decoded->metadata.png_bit_depth, depth);
    EXPECT_EQ(MaxDiff16(image, decoded->pixels), 0);
  }
  EXPECT_GE(multi_band, 100);  // the draw above splits about half the images
}

// Through the public API: every layout and depth, png_threads 1..4 (and
// out-of-range values) decode to the input, and 1 and 4 threads to the same
// pixels.
TEST(PngEncodeTest, EveryLayoutAndThreadCountDecodesToTheInput) {
  for (ColorModel model : kModels) {
    for (int depth : {8, 16}) {
      // Just over 4 x kMinBandBytes of rows: 4 bands for 4 threads.
      const int bytes_per_pixel = ChannelCount(model) * depth / 8;
      const Image image =
          MakeImage(2100 / bytes_per_pixel + 1, 261, model, Pattern::kPhotoLike, depth, 3);
      SCOPED_TRACE(::testing::Message()
                   << "channels " << ChannelCount(model) << " depth " << depth);
      FastPngOptions four;
      four.threads = 4;
      EXPECT_EQ(PlanFastPng(image, four).threads, 4);
      Image first;
      for (int threads : {1, 2, 3, 4, 0, -2, 64}) {
        SCOPED_TRACE(::testing::Message() << "threads " << threads);
        absl::StatusOr<std::string> png = EncodeFast(image, threads);
        ASSERT_TRUE(png.ok()) << png.status();
        absl::StatusOr<DecodedImage> decoded = DecodeImage(*png);
        ASSERT_TRUE(decoded.ok()) << decoded.status();
        EXPECT_EQ(decoded->pixels.color_model(), model);
        EXPECT_EQ(MaxDiff16(image, decoded->pixels), 0);
        if (threads == 1) {
          first = std::move(decoded->pixels);
        } else if (threads == 4) {
          EXPECT_EQ(MaxDiff16(first, decoded->pixels), 0);
        }
      }
    }
  }
}

void ExpectPlan(const FastPngPlan& plan, int bands, int rows_per_band, int threads) {
  EXPECT_EQ(plan.bands, bands);
  EXPECT_EQ(plan.rows_per_band, rows_per_band);
  EXPECT_EQ(plan.threads, threads);
}

TEST(PngEncodeTest, BandsFollowThreadsRowsAndMinimumSize) {
  const Image hd = MakeImage(1920, 1080, ColorModel::kRgb, Pattern::kFlat);
  FastPngOptions o;
  ExpectPlan(PlanFastPng(hd, o), 1, 1080, 1);
  o.threads = 0;
  ExpectPlan(PlanFastPng(hd, o), 1, 1080, 1);
  o.threads = 2;  // kBandsPerThread bands per thread
  ExpectPlan(PlanFastPng(hd, o), 8, 135, 2);
  o.threads = 4;  // 16 bands of ceil(1080 / 16) = 68 rows, the last 60
  ExpectPlan(PlanFastPng(hd, o), 16, 68, 4);
  // 64x64 RGB is 12 KiB of rows: not worth a second thread.
  ExpectPlan(PlanFastPng(MakeImage(64, 64, ColorModel::kRgb, Pattern::kFlat), o), 1, 64, 1);
  // 512x512 RGB: 6 bands of at least kMinBandBytes, on 4 threads.
  ExpectPlan(PlanFastPng(MakeImage(512, 512, ColorModel::kRgb, Pattern::kFlat), o), 6, 86, 4);
  // Fewer rows than bands: one row per band, and no more threads than bands.
  o.min_band_bytes = 1;
  ExpectPlan(PlanFastPng(MakeImage(9, 3, ColorModel::kGray, Pattern::kFlat), o), 3, 1, 3);
  ExpectPlan(PlanFastPng(MakeImage(9, 1, ColorModel::kGray, Pattern::kFlat), o), 1, 1, 1);
  // 20 rows in 16 bands of ceil(20 / 16) = 2 rows leaves 10 bands.
  ExpectPlan(PlanFastPng(MakeImage(9, 20, ColorModel::kGray, Pattern::kFlat), o), 10, 2, 4);
}

// Level 0 writes stored blocks (at most 64 KiB each) and the IDAT data is
// split into chunks of at most kIdatChunkBytes, across band boundaries.
TEST(PngEncodeTest, StoredBlocksAndManyIdatChunks) {
  const Image image = MakeImage(640, 480, ColorModel::kRgb, Pattern::kNoise, 8, 5);
  for (int threads : {1, 3}) {
    absl::StatusOr<std::string> png = EncodeFast(image, threads, /*level=*/0);
    ASSERT_TRUE(png.ok()) << png.status();
    EXPECT_GT(png->size(), size_t{640} * 480 * 3);
    const std::vector<Chunk> chunks = ParseChunks(*png);
    int idat = 0;
    for (const Chunk& c : chunks) idat += c.type == "IDAT" ? 1 : 0;
    EXPECT_GE(idat, 4);
    EXPECT_EQ(ChunkOrder(chunks), "IHDRIDATIEND");
    EXPECT_TRUE(Inflate(IdatStream(chunks)) == ExpectedFilteredRows(image));
    absl::StatusOr<DecodedImage> decoded = DecodeImage(*png);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(MaxDiff16(image, decoded->pixels), 0);
  }
}

// ---- Metadata, and sameness with libspng's chunks ------------------------

// IHDR, iCCP and eXIf are byte for byte the chunks libspng writes (same
// order, same zlib compression of the profile), with any thread count.
TEST(PngEncodeTest, MetadataChunksMatchLibspng) {
  for (size_t icc_size : {size_t{0}, size_t{560}, size_t{70000}}) {
    for (bool exif : {false, true}) {
      ImageMetadata md;
      if (icc_size > 0) md.icc_profile = testing::TestIcc(icc_size);
      if (exif) md.exif = testing::TestExif();
      const Image image = MakeImage(300, 200, ColorModel::kRgba, Pattern::kPhotoLike, 16);
      EncodeOptions spng;
      spng.format = ImageFormat::kPng;
      spng.png_fast = false;
      absl::StatusOr<std::string> reference = EncodeImage(image, md, spng);
      ASSERT_TRUE(reference.ok()) << reference.status();
      std::vector<Chunk> expected = ParseChunks(*reference);
      for (int threads : {1, 4}) {
        SCOPED_TRACE(::testing::Message()
                     << "icc " << icc_size << " exif " << exif << " threads " << threads);
        absl::StatusOr<std::string> png = EncodeFast(image, threads, 1, md);
        ASSERT_TRUE(png.ok()) << png.status();
        const std::vector<Chunk> chunks = ParseChunks(*png);
        EXPECT_EQ(ChunkOrder(chunks), ChunkOrder(expected));
        for (size_t i = 0; i < chunks.size() && i < expected.size(); ++i) {
          if (chunks[i].type == "IDAT" || expected[i].type == "IDAT") break;
          EXPECT_EQ(chunks[i].type, expected[i].type);
          EXPECT_TRUE(chunks[i].data == expected[i].data) << chunks[i].type;
        }
        absl::StatusOr<DecodedImage> decoded = DecodeImage(*png);
        ASSERT_TRUE(decoded.ok()) << decoded.status();
        EXPECT_TRUE(decoded->metadata.icc_profile == md.icc_profile);
        EXPECT_EQ(decoded->metadata.exif, md.exif);
        EXPECT_EQ(MaxDiff16(image, decoded->pixels), 0);
      }
    }
  }
}

// An EXIF block without a TIFF header is refused, as libspng refuses it.
TEST(PngEncodeTest, RefusesExifWithoutTiffHeader) {
  const Image image = MakeImage(8, 8, ColorModel::kRgb, Pattern::kFlat);
  for (const char* exif : {"Exif", "II", "MM\x2a"}) {
    ImageMetadata md;
    md.exif = exif;
    for (bool fast : {true, false}) {
      EncodeOptions options;
      options.format = ImageFormat::kPng;
      options.png_fast = fast;
      EXPECT_EQ(EncodeImage(image, md, options).status().code(), absl::StatusCode::kInvalidArgument)
          << exif << " fast " << fast;
    }
  }
}

// ---- Size --------------------------------------------------------------

// Independent bands cost next to nothing with Z_RLE: on photos, 4 threads'
// files (5 or 6 bands) are within 1% of one thread's (one band).
TEST(PngEncodeTest, FourBandsCostUnderOnePercentOnPhotos) {
  for (const char* name : {"astronaut.jpg", "coffee.jpg", "rocket.jpg"}) {
    absl::StatusOr<DecodedImage> photo = DecodeImage(testing::ReadTestImage(name));
    ASSERT_TRUE(photo.ok()) << photo.status();
    FastPngOptions one;
    FastPngOptions four;
    four.threads = 4;
    EXPECT_EQ(PlanFastPng(photo->pixels, four).threads, 4) << name;
    absl::StatusOr<std::string> a = WriteFastPng(photo->pixels, ImageMetadata{}, one);
    absl::StatusOr<std::string> b = WriteFastPng(photo->pixels, ImageMetadata{}, four);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_LE(static_cast<double>(b->size()), 1.01 * static_cast<double>(a->size()))
        << name << ": " << a->size() << " vs " << b->size();
  }
}

// ---- An independent decoder ---------------------------------------------

// Python's zlib and PIL (Debian's /usr/bin/python3 with python3-pil) read
// a 4-band file: every chunk CRC, the zlib stream with its Adler-32, and the
// pixels. Skipped when that interpreter or PIL is missing.
TEST(PngEncodeTest, PythonPilDecodesTheSamePixels) {
  if (std::system("/usr/bin/python3 -c 'import PIL.Image' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with PIL not available";
  }
  const std::string dir = ::testing::TempDir();
  const std::string script_path = dir + "/png_encode_test_check.py";
  std::ofstream(script_path) << R"(import sys, zlib
from PIL import Image
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n = int.from_bytes(data[pos:pos + 4], 'big')
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    crc = int.from_bytes(data[pos + 8 + n:pos + 12 + n], 'big')
    assert zlib.crc32(kind + body) == crc, kind
    if kind == b'IDAT':
        idat += body
    pos += 12 + n
zlib.decompress(idat)
image = Image.open(sys.argv[1])
image.load()
open(sys.argv[2], 'wb').write(image.mode.encode() + b'\n' + image.tobytes())
)";
  for (ColorModel model : kModels) {
    const Image image = MakeImage(517, 301, model, Pattern::kPhotoLike, 8, 11);
    FastPngOptions options;
    options.threads = 4;
    options.min_band_bytes = 1;
    absl::StatusOr<std::string> png = WriteFastPng(image, ImageMetadata{}, options);
    ASSERT_TRUE(png.ok()) << png.status();
    const std::string png_path = dir + "/png_encode_test.png";
    const std::string out_path = dir + "/png_encode_test.pixels";
    std::ofstream(png_path, std::ios::binary) << *png;
    const std::string command =
        absl::StrCat("/usr/bin/python3 ", script_path, " ", png_path, " ", out_path);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(out_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string got = ss.str();
    const char* modes[] = {"L", "LA", "RGB", "RGBA"};
    const std::string mode = modes[ChannelCount(model) - 1];
    ASSERT_EQ(got.substr(0, mode.size() + 1), mode + "\n");
    // PIL's layout: 8-bit samples interleaved, row after row.
    std::string expected;
    for (int y = 0; y < image.height(); ++y) {
      for (int x = 0; x < image.width(); ++x) {
        for (int c = 0; c < image.channels(); ++c) {
          expected.push_back(static_cast<char>(std::lround(image.Row(c, y)[x])));
        }
      }
    }
    EXPECT_TRUE(got.substr(mode.size() + 1) == expected) << mode;
  }
}

}  // namespace
}  // namespace hallmark::image
