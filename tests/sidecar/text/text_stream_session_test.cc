#include "sidecar/text/text_stream_session.h"

#include <random>
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
spaces:
  "s/off":     { mode: off }
  "s/shadow":  { mode: shadow }
  "s/mark":    { mode: mark }
  "s/enforce": { mode: enforce }
  "s/small":   { text: { max_bytes: 100 } }
)";

// A `deliver` callback that keeps the final response and reports success.
auto Keep(hallmark::v1::MarkTextStreamResponse* out) {
  return [out](const hallmark::v1::MarkTextStreamResponse& last) {
    *out = last;
    return true;
  };
}

class TextStreamSessionTest : public testing::SidecarFixture {
 protected:
  TextStreamSessionTest() : config_(Snapshot(kPolicy)) {}

  std::unique_ptr<TextStreamSession> Start(const std::string& space) {
    auto session = TextStreamSession::Start(config_, clock_, metrics_, space,
                                            {receipt_signer_, "stream-req", "stream-model"});
    EXPECT_TRUE(session.ok()) << session.status();
    return *std::move(session);
  }

  // Streams `text` in random chunks; returns the released text (or the
  // error) and the final response.
  absl::StatusOr<std::string> Stream(const std::string& space, const std::string& text,
                                     uint32_t seed,
                                     hallmark::v1::MarkTextStreamResponse* final_response) {
    auto session = Start(space);
    std::mt19937 rng(seed);
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
      const size_t n = std::min<size_t>(text.size() - pos, rng() % 24);
      auto released = session->Append(absl::string_view(text).substr(pos, n));
      if (!released.ok()) return released.status();
      out += *released;
      pos += n;
    }
    const absl::Status finished = session->Finish(Keep(final_response));
    if (!finished.ok()) return finished;
    out += final_response->delta();
    return out;
  }

  std::shared_ptr<const ConfigSnapshot> config_;
  // Set by the receipt tests.
  const provenance::ReceiptSigner* receipt_signer_ = nullptr;
};

TEST_F(TextStreamSessionTest, MarkModeStreamsAMarkThatVerifies) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    hallmark::v1::MarkTextStreamResponse last;
    auto out = Stream("s/mark", LongProse(), seed, &last);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(NormalizeSpaces(*out), LongProse());
    EXPECT_NE(*out, LongProse());
    EXPECT_TRUE(last.final());
    EXPECT_EQ(last.decision(), hallmark::v1::DECISION_MARKED);
    const auto detection =
        config_->text_schemes().Find("unicode")->Detect(*out, config_->key_ring().keys());
    EXPECT_TRUE(detection.verified);
    ASSERT_TRUE(detection.payload.has_value());
    EXPECT_EQ(watermark::PayloadId(*detection.payload), last.payload_id());
  }
  EXPECT_EQ(Requests("s/mark", "marked", "none"), 20);
}

TEST_F(TextStreamSessionTest, NothingIsReleasedBeforeTheMarkIsDecided) {
  auto session = Start("s/enforce");
  auto released = session->Append(ShortText());
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, "");
  bool delivered = false;
  const absl::Status last = session->Finish([&](const auto&) { return delivered = true; });
  EXPECT_EQ(last.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BlockedReason(last), hallmark::v1::REASON_TOO_SHORT);
  EXPECT_FALSE(delivered);  // nothing is released
  EXPECT_EQ(Requests("s/enforce", "blocked", "too_short"), 1);
}

TEST_F(TextStreamSessionTest, UndeliveredEndIsNotCounted) {
  auto session = Start("s/mark");
  ASSERT_TRUE(session->Append(LongProse()).ok());
  const absl::Status last = session->Finish([](const auto&) { return false; });
  EXPECT_EQ(last.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Requests("s/mark", "marked", "none"), 0);
  EXPECT_EQ(MetricValue(*metrics_.registry(), "hallmark_added_latency_seconds",
                        {{"modality", "text"}, {"scheme", "unicode"}}),
            0);
}

TEST_F(TextStreamSessionTest, ShortStreamInMarkModeIsReleasedUnchangedAtTheEnd) {
  hallmark::v1::MarkTextStreamResponse last;
  auto out = Stream("s/mark", ShortText(), 7, &last);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, ShortText());
  EXPECT_EQ(last.decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_EQ(last.reason(), hallmark::v1::REASON_TOO_SHORT);
}

TEST_F(TextStreamSessionTest, OffAndShadowReleaseEveryDeltaAtOnce) {
  for (const char* space : {"s/off", "s/shadow"}) {
    auto session = Start(space);
    for (const char* delta : {"Hello", " there", ", friend."}) {
      auto released = session->Append(delta);
      ASSERT_TRUE(released.ok());
      EXPECT_EQ(*released, delta);
    }
    hallmark::v1::MarkTextStreamResponse last;
    ASSERT_TRUE(session->Finish(Keep(&last)).ok());
    EXPECT_EQ(last.delta(), "");
  }
  hallmark::v1::MarkTextStreamResponse last;
  auto out = Stream("s/shadow", LongProse(), 3, &last);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, LongProse());
  EXPECT_EQ(last.decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_FALSE(last.payload_id().empty());
}

TEST_F(TextStreamSessionTest, StreamsPastTheSizeLimitAreRefused) {
  auto session = Start("s/small");
  ASSERT_TRUE(session->Append(std::string(90, 'a')).ok());
  auto over = session->Append(std::string(20, 'b'));
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TextStreamSessionTest, BadSpaceIsInvalidArgument) {
  EXPECT_EQ(TextStreamSession::Start(config_, clock_, metrics_, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- provenance receipts

class TextStreamSessionReceiptTest : public TextStreamSessionTest {
 protected:
  TextStreamSessionReceiptTest()
      : signer_(*provenance::ReceiptSigner::Generate()),
        verifier_(*provenance::ReceiptVerifier::FromPublicKeyPem(signer_->public_key_pem())) {
    receipt_signer_ = signer_.get();
  }

  double ReceiptStageCount() {
    return MetricValue(*metrics_.registry(), "hallmark_stage_seconds",
                       {{"modality", "text"}, {"stage", "receipt"}});
  }

  std::unique_ptr<provenance::ReceiptSigner> signer_;
  std::unique_ptr<provenance::ReceiptVerifier> verifier_;
};

TEST_F(TextStreamSessionReceiptTest, FinalResponseHasTheReceiptOfTheWholeStream) {
  for (const char* space : {"s/mark", "s/enforce"}) {
    for (uint32_t seed = 1; seed <= 5; ++seed) {
      hallmark::v1::MarkTextStreamResponse last;
      auto out = Stream(space, LongProse(), seed, &last);
      ASSERT_TRUE(out.ok()) << out.status();
      ASSERT_EQ(last.decision(), hallmark::v1::DECISION_MARKED);
      absl::StatusOr<provenance::TextReceiptClaims> claims =
          verifier_->Verify(last.receipt(), *out);
      ASSERT_TRUE(claims.ok()) << claims.status();
      EXPECT_EQ(claims->payload_id, last.payload_id());
      EXPECT_EQ(claims->space, space);
      EXPECT_EQ(claims->request_id, "stream-req");
      EXPECT_EQ(claims->model, "stream-model");
      EXPECT_EQ(claims->kid, last.key_id());
    }
  }
  EXPECT_EQ(ReceiptStageCount(), 10);
}

TEST_F(TextStreamSessionReceiptTest, ShadowSignsButReturnsNoReceipt) {
  hallmark::v1::MarkTextStreamResponse last;
  auto out = Stream("s/shadow", LongProse(), 3, &last);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, LongProse());
  EXPECT_EQ(last.decision(), hallmark::v1::DECISION_SHADOWED);
  EXPECT_TRUE(last.receipt().empty());
  EXPECT_EQ(ReceiptStageCount(), 1);
}

TEST_F(TextStreamSessionReceiptTest, UnmarkedStreamsGetNoReceipt) {
  hallmark::v1::MarkTextStreamResponse last;
  ASSERT_TRUE(Stream("s/mark", ShortText(), 1, &last).ok());
  EXPECT_EQ(last.decision(), hallmark::v1::DECISION_PASSED_THROUGH);
  EXPECT_TRUE(last.receipt().empty());
  ASSERT_TRUE(Stream("s/off", LongProse(), 1, &last).ok());
  EXPECT_TRUE(last.receipt().empty());
  EXPECT_EQ(ReceiptStageCount(), 0);
}

}  // namespace
}  // namespace hallmark::sidecar
