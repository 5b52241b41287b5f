#include "sidecar/text/text_mark_pipeline.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sidecar/policy/policy_engine.h"
#include "tests/support/sample_text.h"
#include "tests/support/sidecar_fixture.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::testing::LongProse;
using ::hallmark::testing::MetricValue;
using ::hallmark::testing::NormalizeSpaces;
using ::hallmark::testing::ShortText;

constexpr char kPolicy[] = R"(
default: { mode: mark }
spaces:
  "t/off":     { mode: off }
  "t/shadow":  { mode: shadow }
  "t/mark":    { mode: mark }
  "t/enforce": { mode: enforce }
  "t/slow-mark":    { mode: mark, text: { scheme: slow } }
  "t/slow-enforce": { mode: enforce, text: { scheme: slow } }
  "t/tiny":    { text: { max_bytes: 10 } }
)";

class TextMarkPipelineTest : public testing::SidecarFixture {
 protected:
  TextMarkPipelineTest() : pipeline_(clock_, metrics_), config_(Snapshot(kPolicy)) {}

  absl::StatusOr<hallmark::v1::MarkTextResponse> Mark(
      const std::string& space, const std::string& text,
      absl::Time caller_deadline = absl::InfiniteFuture()) {
    return pipeline_.Mark(*config_, TextMarkCall{space, text, "req-1", "model-x", caller_deadline});
  }

  TextMarkPipeline pipeline_;
  std::shared_ptr<const ConfigSnapshot> config_;
};

TEST_F(TextMarkPipelineTest, MarkModeMarksLongText) {
  const std::string input = LongProse();
  auto r = Mark("t/mark", input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_UNSPECIFIED);
  EXPECT_NE(r->text(), input);
  EXPECT_EQ(NormalizeSpaces(r->text()), input);
  EXPECT_EQ(r->payload_id().size(), 14u);
  EXPECT_EQ(r->key_id(), config_->active_key().id());
  EXPECT_EQ(r->scheme(), "unicode");
  EXPECT_GE(r->carriers(), r->carriers_needed());

  // The returned text verifies with the sidecar's keys, for this Space.
  const auto detection =
      config_->text_schemes().Find("unicode")->Detect(r->text(), config_->key_ring().keys());
  EXPECT_TRUE(detection.verified);
  ASSERT_TRUE(detection.payload.has_value());
  EXPECT_EQ(detection.payload->space_tag, watermark::SpaceTag("t/mark"));
  EXPECT_EQ(watermark::PayloadId(*detection.payload), r->payload_id());

  EXPECT_EQ(Requests("t/mark", "marked", "none"), 1);
  EXPECT_EQ(MetricValue(*metrics_.registry(), "hallmark_added_latency_seconds",
                        {{"modality", "text"}, {"scheme", "unicode"}}),
            1);
}

TEST_F(TextMarkPipelineTest, MarkModePassesShortTextThrough) {
  auto r = Mark("t/mark", ShortText());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_TOO_SHORT);
  EXPECT_EQ(r->text(), ShortText());
  EXPECT_TRUE(r->payload_id().empty());
  EXPECT_LT(r->carriers(), r->carriers_needed());
  EXPECT_EQ(Requests("t/mark", "passed_through", "too_short"), 1);
}

TEST_F(TextMarkPipelineTest, EnforceBlocksShortText) {
  auto r = Mark("t/enforce", ShortText());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BlockedReason(r.status()), hallmark::v1::REASON_TOO_SHORT);
  EXPECT_EQ(Requests("t/enforce", "blocked", "too_short"), 1);

  auto ok = Mark("t/enforce", LongProse());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->decision(), hallmark::v1::DECISION_MARKED);
}

TEST_F(TextMarkPipelineTest, ShadowComputesButReturnsOriginal) {
  auto r = Mark("t/shadow", LongProse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_UNSPECIFIED);
  EXPECT_EQ(r->text(), LongProse());
  EXPECT_FALSE(r->payload_id().empty());

  auto short_r = Mark("t/shadow", ShortText());
  ASSERT_TRUE(short_r.ok());
  EXPECT_EQ(short_r->decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_EQ(short_r->reason(), hallmark::v1::REASON_TOO_SHORT);
  EXPECT_EQ(Requests("t/shadow", "shadowed", "none"), 1);
  EXPECT_EQ(Requests("t/shadow", "shadowed", "too_short"), 1);
}

TEST_F(TextMarkPipelineTest, OffReturnsOriginalWithoutWork) {
  auto r = Mark("t/off", LongProse());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_MODE_OFF);
  EXPECT_EQ(r->text(), LongProse());
  EXPECT_TRUE(r->payload_id().empty());
  EXPECT_EQ(r->carriers(), 0);
  EXPECT_EQ(Requests("t/off", "passed_through", "mode_off"), 1);
}

TEST_F(TextMarkPipelineTest, UnnamedSpaceUsesDefaultAndOtherLabel) {
  auto r = Mark("somebody/else", LongProse());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
  EXPECT_EQ(Requests("other", "marked", "none"), 1);
  EXPECT_EQ(Requests("somebody/else", "marked", "none"), -1);  // no such series
}

TEST_F(TextMarkPipelineTest, BudgetRunOutInMarkModeReturnsOriginal) {
  slow_delay_ = absl::Milliseconds(250);  // past the 200 ms default budget
  auto r = Mark("t/slow-mark", LongProse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_BUDGET);
  EXPECT_EQ(r->text(), LongProse());
  EXPECT_EQ(r->server_micros(), 250'000);
  EXPECT_EQ(MetricValue(*metrics_.registry(), "hallmark_budget_exhausted_total",
                        {{"space", "t/slow-mark"}}),
            1);
}

TEST_F(TextMarkPipelineTest, BudgetRunOutInEnforceModeBlocks) {
  slow_delay_ = absl::Milliseconds(201);
  auto r = Mark("t/slow-enforce", LongProse());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(BlockedReason(r.status()), hallmark::v1::REASON_BUDGET);
  EXPECT_EQ(Requests("t/slow-enforce", "blocked", "budget"), 1);
}

TEST_F(TextMarkPipelineTest, WorkWithinBudgetMarks) {
  slow_delay_ = absl::Milliseconds(199);
  auto r = Mark("t/slow-enforce", LongProse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
}

TEST_F(TextMarkPipelineTest, ShorterCallerDeadlineWins) {
  slow_delay_ = absl::Milliseconds(50);
  const absl::Time now = clock_.Now();
  auto late = Mark("t/slow-mark", LongProse(), now + absl::Milliseconds(20));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->reason(), hallmark::v1::REASON_BUDGET);

  auto in_time = Mark("t/slow-mark", LongProse(), clock_.Now() + absl::Milliseconds(100));
  ASSERT_TRUE(in_time.ok());
  EXPECT_EQ(in_time->decision(), hallmark::v1::DECISION_MARKED);
}

TEST_F(TextMarkPipelineTest, ExpiredCallerDeadlineSkipsTheWork) {
  slow_delay_ = absl::Milliseconds(1);
  auto r = Mark("t/slow-mark", LongProse(), clock_.Now() - absl::Milliseconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason(), hallmark::v1::REASON_BUDGET);
  EXPECT_EQ(slow_->calls.load(), 0);
}

TEST_F(TextMarkPipelineTest, BadRequestsAreInvalidArgument) {
  EXPECT_EQ(Mark("", LongProse()).status().code(), absl::StatusCode::kInvalidArgument);
  auto big = Mark("t/tiny", "this text is longer than ten bytes");
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(big.status().message()), ::testing::HasSubstr("text.max_bytes"));
  // Bad requests are not decisions.
  EXPECT_EQ(Requests("t/tiny", "marked", "none"), 0);
}

// --- provenance receipts

class TextMarkPipelineReceiptTest : public TextMarkPipelineTest {
 protected:
  TextMarkPipelineReceiptTest()
      : signer_(*provenance::ReceiptSigner::Generate()),
        verifier_(*provenance::ReceiptVerifier::FromPublicKeyPem(signer_->public_key_pem())),
        signing_pipeline_(clock_, metrics_, nullptr, signer_.get()) {}

  absl::StatusOr<hallmark::v1::MarkTextResponse> MarkSigned(const std::string& space,
                                                            const std::string& text) {
    return signing_pipeline_.Mark(*config_, TextMarkCall{space, text, "req-1", "model-x"});
  }

  double ReceiptStageCount() {
    return MetricValue(*metrics_.registry(), "hallmark_stage_seconds",
                       {{"modality", "text"}, {"stage", "receipt"}});
  }

  std::unique_ptr<provenance::ReceiptSigner> signer_;
  std::unique_ptr<provenance::ReceiptVerifier> verifier_;
  TextMarkPipeline signing_pipeline_;
};

TEST_F(TextMarkPipelineReceiptTest, MarkedTextsCarryAReceiptForTheReturnedText) {
  for (const char* space : {"t/mark", "t/enforce", "unnamed/space"}) {
    auto r = MarkSigned(space, LongProse());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
    absl::StatusOr<provenance::TextReceiptClaims> claims =
        verifier_->Verify(r->receipt(), r->text());
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(claims->payload_id, r->payload_id());
    EXPECT_EQ(claims->space, space);
    EXPECT_EQ(claims->model, "model-x");
    EXPECT_EQ(claims->request_id, "req-1");
    EXPECT_EQ(claims->kid, r->key_id());
    EXPECT_EQ(claims->scheme, "unicode");
    EXPECT_EQ(claims->iat, absl::ToUnixSeconds(clock_.Now()));  // the injected clock
    // Not a receipt for the input.
    EXPECT_EQ(provenance::ReceiptErrorOf(verifier_->Verify(r->receipt(), LongProse()).status()),
              provenance::ReceiptError::kHashMismatch);
  }
  EXPECT_EQ(ReceiptStageCount(), 3);
}

TEST_F(TextMarkPipelineReceiptTest, ShadowSignsAndTimesButReturnsNoReceipt) {
  auto r = MarkSigned("t/shadow", LongProse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_EQ(r->text(), LongProse());
  EXPECT_TRUE(r->receipt().empty());
  EXPECT_EQ(ReceiptStageCount(), 1);
}

TEST_F(TextMarkPipelineReceiptTest, UnmarkedTextsGetNoReceipt) {
  for (const auto& [space, text] : {std::pair<std::string, std::string>{"t/off", LongProse()},
                                    {"t/mark", ShortText()},
                                    {"t/shadow", ShortText()}}) {
    auto r = MarkSigned(space, text);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_NE(r->decision(), hallmark::v1::DECISION_MARKED);
    EXPECT_TRUE(r->receipt().empty()) << space;
  }
  EXPECT_EQ(ReceiptStageCount(), 0);
}

TEST_F(TextMarkPipelineReceiptTest, WithoutASignerThereIsNoReceipt) {
  auto r = Mark("t/mark", LongProse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision(), hallmark::v1::DECISION_MARKED);
  EXPECT_TRUE(r->receipt().empty());
}

}  // namespace
}  // namespace hallmark::sidecar
