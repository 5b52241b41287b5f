// DetectPipeline's admission: text and image detection share their
// modality's work slots, and a full gate answers a status that says so
// (retry later), unlike an input over its limits.
#include "sidecar/detect/detect_pipeline.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/support/sidecar_fixture.h"

namespace hallmark::sidecar {
namespace {

class DetectPipelineTest : public testing::SidecarFixture {
 protected:
  std::shared_ptr<const ConfigSnapshot> config_ = Snapshot("default: {mode: mark}\n");
  AdmissionGate text_gate_{{.max_in_flight = 1, .max_queued = 0}, nullptr, nullptr};
};

TEST_F(DetectPipelineTest, TextDetectionWaitsForATextSlot) {
  DetectPipeline pipeline(clock_, metrics_, schemes_, nullptr, nullptr, nullptr, &text_gate_);
  hallmark::v1::DetectRequest request;
  request.set_text("Plain text without a mark, long enough to be scanned for one.");
  EXPECT_TRUE(pipeline.Detect(*config_, request).ok());  // a free slot

  AdmissionGate::Permit held = text_gate_.Enter(absl::ZeroDuration());
  ASSERT_TRUE(held.admitted());
  absl::StatusOr<hallmark::v1::DetectResponse> busy = pipeline.Detect(*config_, request);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(IsSlotsFull(busy.status())) << busy.status();
}

TEST_F(DetectPipelineTest, OversizedTextIsNotABusyGate) {
  DetectPipeline pipeline(clock_, metrics_, schemes_, nullptr, nullptr, nullptr, &text_gate_);
  std::shared_ptr<const ConfigSnapshot> small =
      Snapshot("default: {mode: mark, text: {max_bytes: 8}}\n");
  hallmark::v1::DetectRequest request;
  request.set_text("more than eight bytes");
  const absl::Status status = pipeline.Detect(*small, request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsSlotsFull(status));
}

}  // namespace
}  // namespace hallmark::sidecar
