#include "bench/loadgen/workload.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace hallmark::loadgen {
namespace {

TEST(ParseWorkloadTest, Text) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload("text:4096");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->kind, WorkloadKind::kText);
  EXPECT_EQ(spec->bytes, 4096u);
  EXPECT_EQ(spec->name, "text:4096");
  EXPECT_TRUE(spec->unary());
  EXPECT_FALSE(spec->image());
}

TEST(ParseWorkloadTest, SizeSuffixesAndCanonicalName) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload(" detect:4k ");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->kind, WorkloadKind::kDetect);
  EXPECT_EQ(spec->bytes, 4096u);
  EXPECT_EQ(spec->name, "detect:4096");
  spec = ParseWorkload("text:1M");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->bytes, size_t{1} << 20);
}

TEST(ParseWorkloadTest, Stream) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload("stream:50tps");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->kind, WorkloadKind::kStream);
  EXPECT_DOUBLE_EQ(spec->tokens_per_second, 50);
  EXPECT_EQ(spec->stream_words, 400);
  EXPECT_FALSE(spec->unary());
  spec = ParseWorkload("stream:2.5tps:100w");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_DOUBLE_EQ(spec->tokens_per_second, 2.5);
  EXPECT_EQ(spec->stream_words, 100);
  EXPECT_EQ(spec->name, "stream:2.5tps:100w");
}

TEST(ParseWorkloadTest, Image) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload("image:1024x768:jpeg");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->kind, WorkloadKind::kImage);
  EXPECT_EQ(spec->width, 1024);
  EXPECT_EQ(spec->height, 768);
  EXPECT_EQ(spec->image_format, ImageWorkloadFormat::kJpeg);
  EXPECT_EQ(spec->quality, 0);
  EXPECT_EQ(spec->name, "image:1024x768:jpeg");
  EXPECT_TRUE(spec->unary());
  EXPECT_TRUE(spec->image());
}

TEST(ParseWorkloadTest, ImageFormatsAliasesAndQuality) {
  struct Case {
    const char* spec;
    ImageWorkloadFormat format;
    int quality;
    const char* name;
  };
  for (const Case& c : {
           Case{"image:256x256:png", ImageWorkloadFormat::kPng, 0, "image:256x256:png"},
           Case{"image:256x256:webp", ImageWorkloadFormat::kWebp, 0, "image:256x256:webp"},
           Case{"image:256x256:raw", ImageWorkloadFormat::kRaw, 0, "image:256x256:raw"},
           Case{"image:256X256:JPG", ImageWorkloadFormat::kJpeg, 0, "image:256x256:jpeg"},
           Case{"image:1920x1080:jpeg:q75", ImageWorkloadFormat::kJpeg, 75,
                "image:1920x1080:jpeg:q75"},
           Case{"image:64x48:webp:q100", ImageWorkloadFormat::kWebp, 100, "image:64x48:webp:q100"},
       }) {
    absl::StatusOr<WorkloadSpec> spec = ParseWorkload(c.spec);
    ASSERT_TRUE(spec.ok()) << c.spec << ": " << spec.status();
    EXPECT_EQ(spec->image_format, c.format) << c.spec;
    EXPECT_EQ(spec->quality, c.quality) << c.spec;
    EXPECT_EQ(spec->name, c.name) << c.spec;
  }
}

TEST(ParseWorkloadTest, DetectImage) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload("detect-image:512x512:webp");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->kind, WorkloadKind::kDetectImage);
  EXPECT_EQ(spec->width, 512);
  EXPECT_EQ(spec->height, 512);
  EXPECT_EQ(spec->image_format, ImageWorkloadFormat::kWebp);
  EXPECT_EQ(spec->name, "detect-image:512x512:webp");
  EXPECT_TRUE(spec->unary());
  EXPECT_TRUE(spec->image());
}

TEST(ParseWorkloadTest, RefusesBadImageSpecs) {
  for (const char* bad : {
           "image",
           "image:1024x1024",  // no format
           "image:1024:jpeg",  // one side
           "image:1024x:jpeg",
           "image:x1024:jpeg",
           "image:0x10:jpeg",
           "image:10x0:png",
           "image:-5x10:png",
           "image:16385x16:png",       // over the side limit
           "image:10000x10000:png",    // over the pixel limit
           "image:1024x1024:gif",      // unknown format
           "image:1024x1024:png:q90",  // quality on a lossless format
           "image:1024x1024:raw:q90",
           "image:1024x1024:jpeg:90",  // quality without the q
           "image:1024x1024:jpeg:q0",
           "image:1024x1024:jpeg:q101",
           "image:1024x1024:jpeg:q90:extra",
           "detect-image:1024x1024",
       }) {
    absl::StatusOr<WorkloadSpec> spec = ParseWorkload(bad);
    EXPECT_FALSE(spec.ok()) << bad;
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseWorkloadTest, RefusesBadTextSpecs) {
  for (const char* bad : {"text", "text:", "text:0", "text:abc", "text:65m", "text:4096:1",
                          "stream:50", "stream:0tps", "stream:50tps:0w", "bogus:1", ""}) {
    EXPECT_FALSE(ParseWorkload(bad).ok()) << bad;
  }
}

TEST(ParseWorkloadsTest, CommaSeparatedAndRepeatedMix) {
  absl::StatusOr<std::vector<WorkloadSpec>> specs =
      ParseWorkloads({"text:4096, image:256x256:jpeg", "detect-image:256x256:png"});
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 3u);
  EXPECT_EQ((*specs)[0].name, "text:4096");
  EXPECT_EQ((*specs)[1].name, "image:256x256:jpeg");
  EXPECT_EQ((*specs)[2].name, "detect-image:256x256:png");
}

TEST(ParseWorkloadsTest, EmptyAndBadAreRefused) {
  EXPECT_FALSE(ParseWorkloads({}).ok());
  EXPECT_FALSE(ParseWorkloads({" , "}).ok());
  EXPECT_FALSE(ParseWorkloads({"text:4096,image:1x1:tiff"}).ok());
}

TEST(ImageWorkloadFormatNameTest, NamesAreTheApiFormats) {
  EXPECT_EQ(ImageWorkloadFormatName(ImageWorkloadFormat::kJpeg), "jpeg");
  EXPECT_EQ(ImageWorkloadFormatName(ImageWorkloadFormat::kPng), "png");
  EXPECT_EQ(ImageWorkloadFormatName(ImageWorkloadFormat::kWebp), "webp");
  EXPECT_EQ(ImageWorkloadFormatName(ImageWorkloadFormat::kRaw), "raw");
}

}  // namespace
}  // namespace hallmark::loadgen
