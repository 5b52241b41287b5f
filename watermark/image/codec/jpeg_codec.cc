// JPEG through libjpeg-turbo's libjpeg API (not TurboJPEG: we need the saved
// markers, the quantisation tables and the sampling factors).
//
// libjpeg reports errors by calling error_exit, which must not return; we
// longjmp out of it. A longjmp may only cross frames without live objects
// that have destructors, so each libjpeg session runs in a small function
// (RunDecode / RunEncode) whose locals are all trivial; everything with a
// destructor lives in the caller's frame, reached through a plain struct.
// Warnings (corrupt data, premature end of file) are escalated to errors so
// that a truncated file is refused instead of decoded with gray padding.
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "absl/strings/str_cat.h"
#include "watermark/image/codec/codec_internal.h"

namespace hallmark::image {

namespace {

// IJG Annex K tables in natural order (jcparam.c).
// clang-format off
constexpr uint16_t kStdLuma[64] = {
     16,  11,  10,  16,  24,  40,  51,  61,
     12,  12,  14,  19,  26,  58,  60,  55,
     14,  13,  16,  24,  40,  57,  69,  56,
     14,  17,  22,  29,  51,  87,  80,  62,
     18,  22,  37,  56,  68, 109, 103,  77,
     24,  35,  55,  64,  81, 104, 113,  92,
     49,  64,  78,  87, 103, 121, 120, 101,
     72,  92,  95,  98, 112, 100, 103,  99,
};
constexpr uint16_t kStdChroma[64] = {
     17,  18,  24,  47,  99,  99,  99,  99,
     18,  21,  26,  66,  99,  99,  99,  99,
     24,  26,  56,  99,  99,  99,  99,  99,
     47,  66,  99,  99,  99,  99,  99,  99,
     99,  99,  99,  99,  99,  99,  99,  99,
     99,  99,  99,  99,  99,  99,  99,  99,
     99,  99,  99,  99,  99,  99,  99,  99,
     99,  99,  99,  99,  99,  99,  99,  99,
};
// clang-format on

int64_t TableDistance(const uint16_t* actual, const uint16_t* base, int quality) {
  const int64_t scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  int64_t sum = 0;
  for (int i = 0; i < 64; ++i) {
    int64_t v = (base[i] * scale + 50) / 100;
    if (v < 1) v = 1;
    if (v > 255) v = 255;  // jpeg_set_quality(force_baseline = TRUE)
    const int64_t d = v - actual[i];
    sum += d * d;
  }
  return sum;
}

}  // namespace

int EstimateJpegQuality(const uint16_t* luma, const uint16_t* chroma) {
  int best = 0;
  int64_t best_distance = -1;
  for (int q = 1; q <= 100; ++q) {
    int64_t d = TableDistance(luma, kStdLuma, q);
    if (chroma != nullptr) d += TableDistance(chroma, kStdChroma, q);
    if (best_distance < 0 || d < best_distance) {  // ties keep the lower quality
      best_distance = d;
      best = q;
    }
  }
  return best;
}

namespace internal {
namespace {

constexpr int kMaxProgressiveScans = 1000;  // bounds decode time on hostile files

struct ErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg casts cinfo->err to it
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void ErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void EmitMessage(j_common_ptr cinfo, int level) {
  // level -1 is a warning about corrupt data; trace levels are ignored.
  // Stray bytes between markers are common in camera files and harmless.
  if (level < 0 && cinfo->err->msg_code != JWRN_EXTRANEOUS_DATA) ErrorExit(cinfo);
}

void ProgressMonitor(j_common_ptr cinfo) {
  if (cinfo->is_decompressor) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->input_scan_number > kMaxProgressiveScans) {
      auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
      std::snprintf(err->message, sizeof(err->message), "more than %d progressive scans",
                    kMaxProgressiveScans);
      std::longjmp(err->jump, 1);
    }
  }
}

void InitErrors(ErrorManager* err) {
  jpeg_std_error(&err->pub);
  err->pub.error_exit = ErrorExit;
  err->pub.emit_message = EmitMessage;
  err->message[0] = '\0';
}

ChromaSubsampling DetectSubsampling(const jpeg_decompress_struct& cinfo) {
  if (cinfo.num_components == 1) return ChromaSubsampling::kGray;
  if (cinfo.num_components != 3) return ChromaSubsampling::kOther;
  const jpeg_component_info* c = cinfo.comp_info;
  for (int i = 1; i < 3; ++i) {
    if (c[i].h_samp_factor != 1 || c[i].v_samp_factor != 1) return ChromaSubsampling::kOther;
  }
  const int h = c[0].h_samp_factor, v = c[0].v_samp_factor;
  if (h == 1 && v == 1) return ChromaSubsampling::k444;
  if (h == 2 && v == 1) return ChromaSubsampling::k422;
  if (h == 2 && v == 2) return ChromaSubsampling::k420;
  if (h == 1 && v == 2) return ChromaSubsampling::k440;
  if (h == 4 && v == 1) return ChromaSubsampling::k411;
  return ChromaSubsampling::kOther;
}

// ICC_PROFILE APP2 chunks: "ICC_PROFILE\0", sequence number (1-based), count.
absl::Status ReassembleIcc(const jpeg_decompress_struct& cinfo, std::string* icc) {
  static constexpr char kTag[] = "ICC_PROFILE";  // 11 chars + NUL = 12 bytes
  std::map<int, absl::string_view> chunks;
  int count = 0;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
    if (m->marker != JPEG_APP0 + 2 || m->data_length < 14 ||
        std::memcmp(m->data, kTag, sizeof(kTag)) != 0) {
      continue;
    }
    const int seq = m->data[12];
    const int n = m->data[13];
    if (seq == 0 || n == 0 || seq > n || (count != 0 && n != count) || chunks.count(seq) != 0) {
      return absl::InvalidArgumentError("jpeg: inconsistent ICC_PROFILE chunks");
    }
    count = n;
    chunks[seq] =
        absl::string_view(reinterpret_cast<const char*>(m->data) + 14, m->data_length - 14);
  }
  if (count == 0) return absl::OkStatus();
  if (static_cast<int>(chunks.size()) != count) {
    return absl::InvalidArgumentError("jpeg: missing ICC_PROFILE chunks");
  }
  for (const auto& [seq, data] : chunks) icc->append(data.data(), data.size());
  return absl::OkStatus();
}

struct DecodeJob {
  absl::string_view bytes;
  const ImageInfo* info;
  const ImageLimits* limits;
  DecodedImage* out;
  absl::Status* status;  // non-libjpeg failures (allocation, size mismatch)
  jpeg_progress_mgr* progress;
  bool as_ycbcr;
  ErrorManager err;
};

// Everything after jpeg_read_header that may allocate: runs to completion
// (its destructors run before it returns), so no longjmp crosses it.
bool AfterHeader(DecodeJob* job, jpeg_decompress_struct* cinfo) {
  if (static_cast<int64_t>(cinfo->image_width) != job->info->width ||
      static_cast<int64_t>(cinfo->image_height) != job->info->height) {
    *job->status = absl::InvalidArgumentError("jpeg: decoder and probe disagree on the size");
    return false;
  }
  const bool gray = cinfo->num_components == 1;
  if (!gray && cinfo->num_components != 3) {
    *job->status = absl::InvalidArgumentError("jpeg: only gray and 3-component images supported");
    return false;
  }
  // A 3-component JFIF JPEG stores YCbCr: asking for it as is skips the
  // conversion (Adobe-marked RGB JPEGs still convert, to RGB).
  const bool ycbcr = !gray && job->as_ycbcr && cinfo->jpeg_color_space == JCS_YCbCr;
  cinfo->out_color_space = gray ? JCS_GRAYSCALE : ycbcr ? JCS_YCbCr : JCS_RGB;
  absl::StatusOr<Image> image = Image::CreateUninitialized(job->info->width, job->info->height,
                                                           gray    ? ColorModel::kGray
                                                           : ycbcr ? ColorModel::kYCbCr
                                                                   : ColorModel::kRgb);
  if (!image.ok()) {
    *job->status = image.status();
    return false;
  }
  job->out->pixels = *std::move(image);
  ImageMetadata& md = job->out->metadata;
  md.source_format = ImageFormat::kJpeg;
  md.chroma_subsampling = DetectSubsampling(*cinfo);
  md.jpeg_progressive = cinfo->progressive_mode != 0;
  // Table numbers come from the file; libjpeg checks them only later.
  auto table = [cinfo](int component) -> const JQUANT_TBL* {
    const int n = cinfo->comp_info[component].quant_tbl_no;
    return n >= 0 && n < NUM_QUANT_TBLS ? cinfo->quant_tbl_ptrs[n] : nullptr;
  };
  const JQUANT_TBL* luma = table(0);
  const JQUANT_TBL* chroma = gray ? nullptr : table(1);
  if (luma != nullptr) {
    uint16_t l[64], c[64];
    for (int i = 0; i < 64; ++i) {
      l[i] = luma->quantval[i];
      c[i] = chroma != nullptr ? chroma->quantval[i] : 0;
    }
    md.jpeg_quality = EstimateJpegQuality(l, chroma != nullptr ? c : nullptr);
  }
  absl::Status icc = ReassembleIcc(*cinfo, &md.icc_profile);
  if (!icc.ok()) {
    *job->status = icc;
    return false;
  }
  static constexpr char kExif[6] = {'E', 'x', 'i', 'f', 0, 0};
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && std::memcmp(m->data, kExif, 6) == 0) {
      md.exif.assign(reinterpret_cast<const char*>(m->data) + 6, m->data_length - 6);
      break;
    }
  }
  return true;
}

void StoreRow(const JSAMPLE* row, int y, Image* image) {
  UnpackRow8(row, image->channels(), y, image);
}

// Returns false after a libjpeg error (message in job->err.message) or when
// AfterHeader set job->status. Only trivially destructible locals here.
bool RunDecode(DecodeJob* job, jpeg_decompress_struct* cinfo) {
  if (setjmp(job->err.jump) != 0) return false;
  jpeg_create_decompress(cinfo);
  cinfo->progress = job->progress;
  // Coefficient buffers of progressive files are bounded by the probe's
  // pixel limit; cap libjpeg's own pool as well.
  cinfo->mem->max_memory_to_use = static_cast<long>(job->limits->max_pixels) * 8 + (16L << 20);
  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(job->bytes.data()),
               static_cast<unsigned long>(job->bytes.size()));
  jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header(cinfo, TRUE);
  if (!AfterHeader(job, cinfo)) return false;
  jpeg_start_decompress(cinfo);
  const int stride = static_cast<int>(cinfo->output_width) * cinfo->output_components;
  JSAMPARRAY rows = (*cinfo->mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(cinfo), JPOOL_IMAGE,
                                                static_cast<JDIMENSION>(stride), 1);
  while (cinfo->output_scanline < cinfo->output_height) {
    const int y = static_cast<int>(cinfo->output_scanline);
    if (jpeg_read_scanlines(cinfo, rows, 1) != 1) {
      std::snprintf(job->err.message, sizeof(job->err.message), "no scanline returned");
      return false;
    }
    StoreRow(rows[0], y, &job->out->pixels);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

struct EncodeJob {
  const Image* image;
  int quality;
  ChromaSubsampling subsampling;
  bool progressive;
  const unsigned char* exif_segment;  // "Exif\0\0" + TIFF, or null
  size_t exif_size;
  const unsigned char* icc;
  size_t icc_size;
  unsigned char* out;
  unsigned long out_size;
  ErrorManager err;
};

void SetSampling(jpeg_compress_struct* cinfo, ChromaSubsampling s) {
  int h = 2, v = 2;
  switch (s) {
    case ChromaSubsampling::k444:
      h = 1, v = 1;
      break;
    case ChromaSubsampling::k422:
      h = 2, v = 1;
      break;
    case ChromaSubsampling::k440:
      h = 1, v = 2;
      break;
    case ChromaSubsampling::k411:
      h = 4, v = 1;
      break;
    default:
      break;
  }
  cinfo->comp_info[0].h_samp_factor = h;
  cinfo->comp_info[0].v_samp_factor = v;
  for (int i = 1; i < 3; ++i) {
    cinfo->comp_info[i].h_samp_factor = 1;
    cinfo->comp_info[i].v_samp_factor = 1;
  }
}

void LoadRow(const Image& image, int y, int components, JSAMPLE* row) {
  PackRow8(image, y, components, row);
}

bool RunEncode(EncodeJob* job, jpeg_compress_struct* cinfo) {
  if (setjmp(job->err.jump) != 0) return false;
  jpeg_create_compress(cinfo);
  jpeg_mem_dest(cinfo, &job->out, &job->out_size);
  const bool gray = job->image->channels() <= 2;
  cinfo->image_width = static_cast<JDIMENSION>(job->image->width());
  cinfo->image_height = static_cast<JDIMENSION>(job->image->height());
  cinfo->input_components = gray ? 1 : 3;
  const ColorModel model = job->image->color_model();
  const bool ycbcr = model == ColorModel::kYCbCr || model == ColorModel::kYCbCrA;
  cinfo->in_color_space = gray ? JCS_GRAYSCALE : ycbcr ? JCS_YCbCr : JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, job->quality, TRUE);
  if (!gray) SetSampling(cinfo, job->subsampling);
  if (job->progressive) jpeg_simple_progression(cinfo);
  // EXIF files put APP1 first; a JFIF APP0 in front would break that rule.
  if (job->exif_segment != nullptr) cinfo->write_JFIF_header = FALSE;
  jpeg_start_compress(cinfo, TRUE);
  if (job->exif_segment != nullptr) {
    jpeg_write_marker(cinfo, JPEG_APP0 + 1, job->exif_segment,
                      static_cast<unsigned int>(job->exif_size));
  }
  if (job->icc != nullptr) {
    jpeg_write_icc_profile(cinfo, job->icc, static_cast<unsigned int>(job->icc_size));
  }
  const int components = cinfo->input_components;
  JSAMPARRAY rows =
      (*cinfo->mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(cinfo), JPOOL_IMAGE,
                                  static_cast<JDIMENSION>(job->image->width() * components), 1);
  for (int y = 0; y < job->image->height(); ++y) {
    LoadRow(*job->image, y, components, rows[0]);
    jpeg_write_scanlines(cinfo, rows, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeJpeg(absl::string_view bytes, const ImageInfo& info,
                                        const ImageLimits& limits, bool as_ycbcr) {
  DecodedImage out;
  absl::Status status;
  jpeg_progress_mgr progress{};
  progress.progress_monitor = ProgressMonitor;
  DecodeJob job{bytes, &info, &limits, &out, &status, &progress, as_ycbcr, {}};
  // Zeroed so that jpeg_destroy_* is safe even when creation itself failed.
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof(cinfo));
  InitErrors(&job.err);
  cinfo.err = &job.err.pub;
  const bool ok = RunDecode(&job, &cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (!ok) {
    if (!status.ok()) return status;
    return absl::InvalidArgumentError(absl::StrCat("jpeg: ", job.err.message));
  }
  return out;
}

absl::StatusOr<std::string> EncodeJpeg(const Image& image, const ImageMetadata& metadata,
                                       const EncodeOptions& options) {
  int quality = options.jpeg_quality;
  if (quality <= 0) quality = metadata.jpeg_quality > 0 ? metadata.jpeg_quality : 90;
  if (quality > 100) quality = 100;
  ChromaSubsampling subsampling = options.chroma_subsampling;
  if (subsampling == ChromaSubsampling::kUnknown) subsampling = metadata.chroma_subsampling;
  bool progressive = metadata.jpeg_progressive;
  if (options.jpeg_coding == JpegCoding::kBaseline) progressive = false;
  if (options.jpeg_coding == JpegCoding::kProgressive) progressive = true;

  std::string exif_segment;
  if (!metadata.exif.empty()) {
    if (metadata.exif.size() > 65533 - 6) {
      return absl::InvalidArgumentError(absl::StrCat("jpeg: EXIF of ", metadata.exif.size(),
                                                     " bytes does not fit one APP1 segment"));
    }
    exif_segment.assign("Exif\0\0", 6);
    exif_segment += metadata.exif;
  }
  EncodeJob job{};
  job.image = &image;
  job.quality = quality;
  job.subsampling = subsampling;
  job.progressive = progressive;
  if (!exif_segment.empty()) {
    job.exif_segment = reinterpret_cast<const unsigned char*>(exif_segment.data());
    job.exif_size = exif_segment.size();
  }
  if (!metadata.icc_profile.empty()) {
    job.icc = reinterpret_cast<const unsigned char*>(metadata.icc_profile.data());
    job.icc_size = metadata.icc_profile.size();
  }
  jpeg_compress_struct cinfo;
  std::memset(&cinfo, 0, sizeof(cinfo));
  InitErrors(&job.err);
  cinfo.err = &job.err.pub;
  const bool ok = RunEncode(&job, &cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out;
  if (ok && job.out != nullptr) out.assign(reinterpret_cast<const char*>(job.out), job.out_size);
  std::free(job.out);
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("jpeg: ", job.err.message));
  return out;
}

}  // namespace internal
}  // namespace hallmark::image
