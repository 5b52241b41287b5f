#include "watermark/image/codec/png_writer.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "watermark/image/codec/codec_internal.h"

namespace hallmark::image::internal {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// The zlib header zlib itself writes for a 32 KiB window with Z_RLE (which
// it always labels FLEVEL 0, "fastest"): CMF 0x78, FLG 0x01.
constexpr unsigned char kZlibHeader[2] = {0x78, 0x01};
constexpr int kWindowBits = 15;
constexpr int kMemLevel = 8;  // libspng's and zlib's default
// PNG chunk lengths are at most 2^31 - 1.
constexpr size_t kMaxChunkBytes = 0x7fffffff;
// Chunk framing: length and type before the data, CRC-32 after it.
constexpr size_t kChunkHeaderBytes = 8;
constexpr size_t kChunkCrcBytes = 4;
// Filtered rows go to deflate in batches of about this many bytes: few
// calls for narrow images, and the batch stays in L2 until deflate reads it.
constexpr size_t kBatchBytes = size_t{64} * 1024;

void PutBe32(uint32_t v, unsigned char* p) {
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
}

absl::Status OutOfMemory(absl::string_view what) {
  return absl::ResourceExhaustedError(absl::StrCat("png: cannot allocate ", what));
}

// A growable byte buffer on malloc: growth reports failure instead of
// throwing, and new space is not zero-filled.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer() { std::free(data_); }

  // Makes room for `n` more bytes after size(); false when memory runs out.
  bool Reserve(size_t n) {
    if (capacity_ - size_ >= n) return true;
    const size_t wanted = std::max(capacity_ * 2, size_ + n);
    void* grown = std::realloc(data_, wanted);
    if (grown == nullptr) return false;
    data_ = static_cast<unsigned char*>(grown);
    capacity_ = wanted;
    return true;
  }
  // Appends `n` bytes; room must have been reserved.
  void Append(const void* p, size_t n) {
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  // Counts `n` bytes written at end() as part of the buffer.
  void Commit(size_t n) { size_ += n; }

  unsigned char* data() { return data_; }
  unsigned char* end() { return data_ + size_; }
  size_t size() const { return size_; }

 private:
  unsigned char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// What the image's rows look like in the file.
struct RowLayout {
  int channels = 0;
  bool sixteen = false;
  size_t bytes_per_pixel = 0;
  size_t row_bytes = 0;  // without the filter byte
};

RowLayout LayoutOf(const Image& image) {
  RowLayout l;
  l.channels = image.channels();
  l.sixteen = image.bit_depth() == 16;
  l.bytes_per_pixel = static_cast<size_t>(l.channels) * (l.sixteen ? 2 : 1);
  l.row_bytes = static_cast<size_t>(image.width()) * l.bytes_per_pixel;
  return l;
}

// PNG filter type 1: each byte minus the byte one pixel to its left (0 for
// the first pixel).
void SubFilter(const unsigned char* __restrict raw, size_t n, size_t bpp,
               unsigned char* __restrict out) {
  const size_t head = std::min(n, bpp);
  for (size_t i = 0; i < head; ++i) out[i] = raw[i];
  for (size_t i = bpp; i < n; ++i) out[i] = static_cast<unsigned char>(raw[i] - raw[i - bpp]);
}

// One band of rows and, once encoded, its share of the IDAT chunks.
struct Band {
  int first_row = 0;
  int end_row = 0;
  bool first = false;  // starts the zlib stream (writes its header)
  bool last = false;   // ends the deflate stream

  // IDAT chunks, complete with CRC, except that the last band leaves its
  // last chunk open (length field unset, no CRC) for the Adler-32 trailer.
  ByteBuffer out;
  size_t open_chunk = 0;  // last band: offset of the open chunk
  uLong open_crc = 0;     // last band: CRC-32 of the open chunk's type + data
  uLong adler = 1;        // Adler-32 of the band's filtered rows
  size_t filtered_bytes = 0;
  absl::Status status;
};

// Packs, filters and deflates one band into its IDAT chunks.
class BandEncoder {
 public:
  BandEncoder(const Image& image, const RowLayout& layout, int level, Band* band)
      : image_(image), layout_(layout), level_(level), band_(*band) {}

  void Run() { band_.status = Encode(); }

 private:
  absl::Status Encode();
  // Deflates `n` bytes at `p` with `flush` applied after the last of them.
  absl::Status Deflate(const unsigned char* p, size_t n, int flush);
  absl::Status OpenChunk();
  void CloseChunk();
  size_t ChunkDataBytes() const { return band_.out.size() - chunk_ - kChunkHeaderBytes; }
  uLong ChunkCrc() { return crc32_z(0, band_.out.data() + chunk_ + 4, 4 + ChunkDataBytes()); }

  const Image& image_;
  const RowLayout layout_;
  const int level_;
  Band& band_;
  z_stream zs_{};
  bool chunk_open_ = false;
  size_t chunk_ = 0;  // offset of the open chunk in band_.out
};

absl::Status BandEncoder::OpenChunk() {
  // The CRC's room too, so that CloseChunk cannot fail.
  if (!band_.out.Reserve(kChunkHeaderBytes + kIdatChunkBytes + kChunkCrcBytes)) {
    return OutOfMemory("IDAT output");
  }
  chunk_ = band_.out.size();
  const unsigned char header[kChunkHeaderBytes] = {0, 0, 0, 0, 'I', 'D', 'A', 'T'};
  band_.out.Append(header, sizeof(header));
  chunk_open_ = true;
  return absl::OkStatus();
}

void BandEncoder::CloseChunk() {
  PutBe32(static_cast<uint32_t>(ChunkDataBytes()), band_.out.data() + chunk_);
  unsigned char crc[kChunkCrcBytes];
  PutBe32(static_cast<uint32_t>(ChunkCrc()), crc);
  band_.out.Append(crc, sizeof(crc));
  chunk_open_ = false;
}

absl::Status BandEncoder::Deflate(const unsigned char* p, size_t n, int flush) {
  do {
    const size_t piece = std::min<size_t>(n, UINT_MAX);
    zs_.next_in = const_cast<Bytef*>(p);  // zlib does not write through it
    zs_.avail_in = static_cast<uInt>(piece);
    p += piece;
    n -= piece;
    const int piece_flush = n == 0 ? flush : Z_NO_FLUSH;
    for (;;) {
      // A flush gets more than 6 bytes of room, as zlib's manual asks (less
      // may repeat the flush marker).
      const size_t min_room = piece_flush == Z_NO_FLUSH ? 1 : 7;
      if (chunk_open_ && kIdatChunkBytes - ChunkDataBytes() < min_room) CloseChunk();
      if (!chunk_open_) {
        if (absl::Status s = OpenChunk(); !s.ok()) return s;
      }
      const size_t room = kIdatChunkBytes - ChunkDataBytes();
      zs_.next_out = band_.out.end();
      zs_.avail_out = static_cast<uInt>(room);
      const int rc = deflate(&zs_, piece_flush);
      band_.out.Commit(room - zs_.avail_out);
      if (rc == Z_STREAM_ERROR) return absl::InternalError("png: deflate: stream error");
      // deflate stops when the input is used up and flushed as asked, or
      // when the output space is full (then it wants more).
      if (piece_flush == Z_FINISH ? rc == Z_STREAM_END : zs_.avail_out != 0) break;
      if (zs_.avail_out != 0) {
        return absl::InternalError(absl::StrCat("png: deflate: no progress (", rc, ")"));
      }
    }
  } while (n > 0);
  return absl::OkStatus();
}

absl::Status BandEncoder::Encode() {
  const int rc = deflateInit2(&zs_, level_, Z_DEFLATED, -kWindowBits, kMemLevel, Z_RLE);
  if (rc == Z_MEM_ERROR) return OutOfMemory("the deflate state");
  if (rc != Z_OK) return absl::InternalError(absl::StrCat("png: deflateInit2: ", rc));
  struct DeflateEnd {
    z_stream* zs;
    ~DeflateEnd() { deflateEnd(zs); }
  } deflate_end{&zs_};

  // One packed row, its 16-bit samples, and a batch of filtered rows.
  const size_t stride = 1 + layout_.row_bytes;
  const size_t batch_rows = std::max<size_t>(1, kBatchBytes / stride);
  const size_t samples = static_cast<size_t>(image_.width()) * layout_.channels;
  std::unique_ptr<unsigned char[]> raw(new (std::nothrow) unsigned char[layout_.row_bytes]);
  std::unique_ptr<uint16_t[]> raw16(layout_.sixteen ? new (std::nothrow) uint16_t[samples]
                                                    : nullptr);
  std::unique_ptr<unsigned char[]> batch(new (std::nothrow) unsigned char[batch_rows * stride]);
  if (raw == nullptr || batch == nullptr || (layout_.sixteen && raw16 == nullptr)) {
    return OutOfMemory("row buffers");
  }

  if (band_.first) {
    if (absl::Status s = OpenChunk(); !s.ok()) return s;
    band_.out.Append(kZlibHeader, sizeof(kZlibHeader));
  }
  uLong adler = adler32_z(0, nullptr, 0);
  size_t in_batch = 0;
  auto flush_batch = [&]() -> absl::Status {
    const size_t n = in_batch * stride;
    in_batch = 0;
    adler = adler32_z(adler, batch.get(), n);
    band_.filtered_bytes += n;
    return Deflate(batch.get(), n, Z_NO_FLUSH);
  };
  for (int y = band_.first_row; y < band_.end_row; ++y) {
    if (layout_.sixteen) {
      PackRow16(image_, y, layout_.channels, raw16.get());
      for (size_t i = 0; i < samples; ++i) {  // PNG samples are big-endian
        raw[2 * i] = static_cast<unsigned char>(raw16[i] >> 8);
        raw[2 * i + 1] = static_cast<unsigned char>(raw16[i]);
      }
    } else {
      PackRow8(image_, y, layout_.channels, raw.get());
    }
    unsigned char* row = batch.get() + in_batch * stride;
    row[0] = 1;  // filter type SUB
    SubFilter(raw.get(), layout_.row_bytes, layout_.bytes_per_pixel, row + 1);
    if (++in_batch == batch_rows) {
      if (absl::Status s = flush_batch(); !s.ok()) return s;
    }
  }
  if (in_batch > 0) {
    if (absl::Status s = flush_batch(); !s.ok()) return s;
  }
  band_.adler = adler;
  // A sync flush ends the band's deflate output on a byte boundary with no
  // final block, so the next band's blocks can follow it.
  if (absl::Status s = Deflate(nullptr, 0, band_.last ? Z_FINISH : Z_SYNC_FLUSH); !s.ok()) {
    return s;
  }
  if (!band_.last) {
    CloseChunk();
    return absl::OkStatus();
  }
  // The trailer goes in the open chunk; keep it within kIdatChunkBytes.
  if (ChunkDataBytes() + 4 > kIdatChunkBytes) {
    CloseChunk();
    if (absl::Status s = OpenChunk(); !s.ok()) return s;
  }
  band_.open_chunk = chunk_;
  band_.open_crc = ChunkCrc();
  return absl::OkStatus();
}

// Appends a complete chunk of `type` holding `data`; room must be reserved.
void AppendChunk(const char (&type)[5], absl::string_view data, std::string* out) {
  unsigned char header[kChunkHeaderBytes];
  PutBe32(static_cast<uint32_t>(data.size()), header);
  std::memcpy(header + 4, type, 4);
  uLong chunk_crc = crc32_z(0, header + 4, 4);
  // (crc32_z of a null pointer returns the initial value, not its argument.)
  if (!data.empty()) {
    chunk_crc =
        crc32_z(chunk_crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  }
  unsigned char crc[kChunkCrcBytes];
  PutBe32(static_cast<uint32_t>(chunk_crc), crc);
  out->append(reinterpret_cast<const char*>(header), sizeof(header));
  out->append(data.data(), data.size());
  out->append(reinterpret_cast<const char*>(crc), sizeof(crc));
}

constexpr absl::string_view kIccProfileName("ICC profile");

// iCCP data: the profile name, its NUL, compression method 0 and the
// profile in a zlib stream at zlib's default level (as libspng wrote it).
absl::Status MakeIccpData(absl::string_view profile, ByteBuffer* out) {
  const size_t prefix = kIccProfileName.size() + 2;
  const uLong bound = compressBound(static_cast<uLong>(profile.size()));
  if (!out->Reserve(prefix + bound)) return OutOfMemory("the iCCP chunk");
  out->Append(kIccProfileName.data(), kIccProfileName.size());
  const unsigned char zeros[2] = {0, 0};  // name terminator, compression method
  out->Append(zeros, sizeof(zeros));
  uLongf compressed = bound;
  const int rc = compress2(out->end(), &compressed, reinterpret_cast<const Bytef*>(profile.data()),
                           static_cast<uLong>(profile.size()), Z_DEFAULT_COMPRESSION);
  if (rc == Z_MEM_ERROR) return OutOfMemory("the iCCP compressor");
  if (rc != Z_OK) return absl::InternalError(absl::StrCat("png: iCCP: compress2: ", rc));
  out->Commit(compressed);
  if (out->size() > kMaxChunkBytes) {
    return absl::InvalidArgumentError("png: iCCP: ICC profile too large for a chunk");
  }
  return absl::OkStatus();
}

// libspng's rule for eXIf (and the PNG 1.5 extension's): a TIFF header.
absl::Status CheckExif(absl::string_view exif) {
  if (exif.size() > kMaxChunkBytes) {
    return absl::InvalidArgumentError("png: eXIf: EXIF too large for a chunk");
  }
  if (exif.size() < 4 || (exif.substr(0, 4) != absl::string_view("II\x2a\0", 4) &&
                          exif.substr(0, 4) != absl::string_view("MM\0\x2a", 4))) {
    return absl::InvalidArgumentError(
        "png: eXIf: EXIF does not start with a TIFF header (II*\\0 or MM\\0*)");
  }
  return absl::OkStatus();
}

}  // namespace

FastPngPlan PlanFastPng(const Image& image, const FastPngOptions& options) {
  const size_t height = static_cast<size_t>(std::max(image.height(), 1));
  const size_t threads = static_cast<size_t>(std::max(options.threads, 1));
  const size_t filtered = (1 + LayoutOf(image).row_bytes) * height;
  // One band per thread would leave a thread idle as soon as its band is
  // done (bands compress at different speeds; a core may be busy with other
  // work): several per thread, taken in turn, even that out.
  size_t bands = threads == 1 ? 1 : threads * kBandsPerThread;
  bands = std::min(bands, filtered / std::max<size_t>(options.min_band_bytes, 1));
  bands = std::clamp<size_t>(bands, 1, height);
  // Equal bands of whole rows; rounding may leave fewer than asked.
  const size_t rows_per_band = (height + bands - 1) / bands;
  FastPngPlan plan;
  plan.rows_per_band = static_cast<int>(rows_per_band);
  plan.bands = static_cast<int>((height + rows_per_band - 1) / rows_per_band);
  plan.threads = static_cast<int>(std::min(threads, static_cast<size_t>(plan.bands)));
  return plan;
}

absl::StatusOr<std::string> WriteFastPng(const Image& image, const ImageMetadata& metadata,
                                         const FastPngOptions& options) {
  if (image.width() <= 0 || image.height() <= 0 || image.channels() < 1 || image.channels() > 4) {
    return absl::InvalidArgumentError("png: cannot encode an empty image or over 4 channels");
  }
  const RowLayout layout = LayoutOf(image);
  if (!metadata.exif.empty()) {
    if (absl::Status s = CheckExif(metadata.exif); !s.ok()) return s;
  }
  ByteBuffer iccp;
  if (!metadata.icc_profile.empty()) {
    if (absl::Status s = MakeIccpData(metadata.icc_profile, &iccp); !s.ok()) return s;
  }

  // The bands go, in order, to whichever thread is free: this one and
  // plan.threads - 1 started for the call (fewer when a thread cannot be
  // started; this one then does their share).
  const FastPngPlan plan = PlanFastPng(image, options);
  const int level = std::clamp(options.level, 0, 9);
  std::vector<Band> bands(static_cast<size_t>(plan.bands));
  for (int b = 0; b < plan.bands; ++b) {
    Band& band = bands[static_cast<size_t>(b)];
    band.first_row = b * plan.rows_per_band;
    band.end_row = static_cast<int>(
        std::min<int64_t>(image.height(), int64_t{band.first_row} + plan.rows_per_band));
    band.first = b == 0;
    band.last = b == plan.bands - 1;
  }
  std::atomic<size_t> next_band{0};
  auto work = [&image, &layout, level, &bands, &next_band] {
    for (size_t b = next_band.fetch_add(1, std::memory_order_relaxed); b < bands.size();
         b = next_band.fetch_add(1, std::memory_order_relaxed)) {
      BandEncoder(image, layout, level, &bands[b]).Run();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(plan.threads - 1));
  for (int t = 1; t < plan.threads; ++t) {
    try {
      workers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones running (or this one) do the rest
    }
  }
  work();
  for (std::thread& worker : workers) worker.join();

  size_t idat_bytes = 0;
  uLong adler = adler32_z(0, nullptr, 0);
  for (const Band& band : bands) {
    if (!band.status.ok()) return band.status;
    idat_bytes += band.out.size();
    adler = adler32_combine(adler, band.adler, static_cast<z_off_t>(band.filtered_bytes));
  }

  constexpr size_t kChunkOverhead = kChunkHeaderBytes + kChunkCrcBytes;
  const size_t total = sizeof(kSignature) + (kChunkOverhead + 13) +
                       (iccp.size() > 0 ? kChunkOverhead + iccp.size() : 0) +
                       (metadata.exif.empty() ? 0 : kChunkOverhead + metadata.exif.size()) +
                       idat_bytes + 4 + kChunkCrcBytes + kChunkOverhead;
  std::string out;
  try {
    out.reserve(total);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(absl::StrCat(total, " bytes of output"));
  }
  out.append(reinterpret_cast<const char*>(kSignature), sizeof(kSignature));
  unsigned char ihdr[13];
  PutBe32(static_cast<uint32_t>(image.width()), ihdr);
  PutBe32(static_cast<uint32_t>(image.height()), ihdr + 4);
  ihdr[8] = layout.sixteen ? 16 : 8;
  // Colour type: gray 0, RGB 2, gray + alpha 4, RGBA 6.
  constexpr unsigned char kColorType[5] = {0, 0, 4, 2, 6};
  ihdr[9] = kColorType[layout.channels];
  ihdr[10] = 0;  // deflate
  ihdr[11] = 0;  // adaptive filtering (per-row filter bytes)
  ihdr[12] = 0;  // no interlacing
  AppendChunk("IHDR", absl::string_view(reinterpret_cast<const char*>(ihdr), sizeof(ihdr)), &out);
  if (iccp.size() > 0) {
    AppendChunk("iCCP", absl::string_view(reinterpret_cast<const char*>(iccp.data()), iccp.size()),
                &out);
  }
  if (!metadata.exif.empty()) AppendChunk("eXIf", metadata.exif, &out);

  // The IDAT chunks, then the Adler-32 in the last (open) one.
  Band& last = bands.back();
  const size_t open_data = last.out.size() - last.open_chunk - kChunkHeaderBytes;
  PutBe32(static_cast<uint32_t>(open_data + 4), last.out.data() + last.open_chunk);
  for (Band& band : bands) {
    out.append(reinterpret_cast<const char*>(band.out.data()), band.out.size());
  }
  unsigned char trailer[4];
  PutBe32(static_cast<uint32_t>(adler), trailer);
  out.append(reinterpret_cast<const char*>(trailer), sizeof(trailer));
  unsigned char crc[kChunkCrcBytes];
  PutBe32(static_cast<uint32_t>(crc32_combine(last.open_crc, crc32_z(0, trailer, 4), 4)), crc);
  out.append(reinterpret_cast<const char*>(crc), sizeof(crc));
  AppendChunk("IEND", absl::string_view(), &out);
  return out;
}

}  // namespace hallmark::image::internal
