// The image mark pipeline under each mode, budget, overload and bad input,
// with a simulated clock and the real canonical-grid scheme.
#include "sidecar/image/image_mark_pipeline.h"

#include <string>

#include "gtest/gtest.h"
#include "sidecar/policy/policy_engine.h"
#include "tests/support/sidecar_fixture.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::sidecar {
namespace {

using hallmark::v1::MarkImageRequest;
using hallmark::v1::MarkImageResponse;

constexpr char kPolicy[] = R"(
default: {mode: mark}
spaces:
  off: {mode: off}
  shadow: {mode: shadow}
  mark: {mode: mark}
  enforce: {mode: enforce}
  small: {image: {max_pixels: 1000}}
)";

std::string Png(int width, int height) {
  image::Image pixels = image::testing::MakeImage(width, height, image::ColorModel::kRgb,
                                                  image::testing::Pattern::kPhotoLike);
  absl::StatusOr<std::string> png = image::EncodeImage(pixels, {}, {});
  EXPECT_TRUE(png.ok()) << png.status();
  return *png;
}

class ImageMarkPipelineTest : public testing::SidecarFixture {
 protected:
  ImageMarkPipelineTest() : config_(Snapshot(kPolicy)) {}

  absl::StatusOr<MarkImageResponse> Mark(const std::string& space, const std::string& bytes,
                                         absl::Time deadline = absl::InfiniteFuture(),
                                         AdmissionGate* gate = nullptr) {
    ImageMarkPipeline pipeline(clock_, metrics_, schemes_image_, gate);
    MarkImageRequest request;
    request.set_space(space);
    request.set_image(bytes);
    return pipeline.Mark(*config_, request, deadline);
  }
  double ImageRequests(const std::string& space, const std::string& decision,
                       const std::string& reason) {
    return testing::MetricValue(
        *metrics_.registry(), "hallmark_requests_total",
        {{"space", space}, {"modality", "image"}, {"decision", decision}, {"reason", reason}});
  }

  image::ImageSchemeRegistry schemes_image_ = image::BuiltinImageSchemeRegistry();
  std::shared_ptr<const ConfigSnapshot> config_;
  const std::string png_ = Png(256, 192);
};

TEST_F(ImageMarkPipelineTest, MarkModeReturnsAMarkedPngOfTheSameSize) {
  absl::StatusOr<MarkImageResponse> r = Mark("mark", png_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
  EXPECT_EQ(r->format(), "png");
  EXPECT_NE(r->image(), png_);
  EXPECT_EQ(r->width(), 256);
  EXPECT_EQ(r->height(), 192);
  EXPECT_GE(r->psnr_db(), 40.0);
  EXPECT_EQ(r->payload_id().size(), 14u);
  absl::StatusOr<image::DecodedImage> decoded = image::DecodeImage(r->image());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->pixels.width(), 256);
  EXPECT_EQ(ImageRequests("mark", "marked", "none"), 1);
  EXPECT_EQ(testing::MetricValue(*metrics_.registry(), "hallmark_image_psnr_db"), 1);
}

TEST_F(ImageMarkPipelineTest, OffAndShadowReturnTheOriginal) {
  absl::StatusOr<MarkImageResponse> off = Mark("off", png_);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(off->reason(), hallmark::v1::REASON_MODE_OFF);
  EXPECT_EQ(off->image(), png_);
  EXPECT_EQ(off->format(), "png");

  absl::StatusOr<MarkImageResponse> shadow = Mark("shadow", png_);
  ASSERT_TRUE(shadow.ok());
  EXPECT_EQ(shadow->decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_EQ(shadow->image(), png_);
  EXPECT_GT(shadow->psnr_db(), 40.0);
}

TEST_F(ImageMarkPipelineTest, ExpiredDeadlinePassesThroughOrBlocks) {
  const absl::Time past = clock_.Now() - absl::Milliseconds(1);
  absl::StatusOr<MarkImageResponse> r = Mark("mark", png_, past);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_BUDGET);
  EXPECT_EQ(r->image(), png_);

  absl::StatusOr<MarkImageResponse> blocked = Mark("enforce", png_, past);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(BlockedReason(blocked.status()), hallmark::v1::REASON_BUDGET);
}

TEST_F(ImageMarkPipelineTest, FullGateShedsByModeRules) {
  AdmissionGate gate({.max_in_flight = 1, .max_queued = 0}, nullptr, nullptr);
  AdmissionGate::Permit busy = gate.Enter(absl::ZeroDuration());
  ASSERT_TRUE(busy.admitted());

  absl::StatusOr<MarkImageResponse> shed = Mark("mark", png_, absl::InfiniteFuture(), &gate);
  ASSERT_TRUE(shed.ok());
  EXPECT_EQ(shed->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(shed->reason(), hallmark::v1::REASON_OVERLOAD);
  EXPECT_EQ(shed->image(), png_);
  EXPECT_EQ(shed->decode_micros(), 0);  // no work was done

  absl::StatusOr<MarkImageResponse> blocked = Mark("enforce", png_, absl::InfiniteFuture(), &gate);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ImageRequests("mark", "passed_through", "overload"), 1);

  // Off mode does no work, so it needs no slot.
  EXPECT_TRUE(Mark("off", png_, absl::InfiniteFuture(), &gate).ok());
  busy = AdmissionGate::Permit();
  absl::StatusOr<MarkImageResponse> marked = Mark("mark", png_, absl::InfiniteFuture(), &gate);
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(marked->decision(), hallmark::v1::DECISION_MARKED);
  EXPECT_EQ(gate.in_flight(), 0);
}

TEST_F(ImageMarkPipelineTest, TinyImagesCannotCarryAMark) {
  const std::string tiny = Png(40, 40);
  absl::StatusOr<MarkImageResponse> r = Mark("mark", tiny);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_TOO_SHORT);
  EXPECT_EQ(r->image(), tiny);
  absl::StatusOr<MarkImageResponse> blocked = Mark("enforce", tiny);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked.status().message().find("40x40"), std::string::npos);
}

TEST_F(ImageMarkPipelineTest, BadImagesAreRefusedWithTheirCause) {
  EXPECT_EQ(Mark("mark", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Mark("mark", "GIF89a....").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Mark("mark", png_.substr(0, png_.size() / 2)).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<MarkImageResponse> big = Mark("small", png_);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ImageRequests("mark", "marked", "none"), 0);
}

}  // namespace
}  // namespace hallmark::sidecar
