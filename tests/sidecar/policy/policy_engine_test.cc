#include "sidecar/policy/policy_engine.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::config::v1::Mode;
using ::hallmark::v1::Decision;
using ::hallmark::v1::Reason;

constexpr MarkOutcome kFailures[] = {MarkOutcome::kTooShort, MarkOutcome::kBudget,
                                     MarkOutcome::kUnsupported, MarkOutcome::kOverload,
                                     MarkOutcome::kInternal};

TEST(PolicyEngineTest, OffPassesThroughWhateverHappened) {
  for (MarkOutcome outcome : {MarkOutcome::kMarked, MarkOutcome::kTooShort}) {
    const Verdict v = Decide(config::v1::MODE_OFF, outcome);
    EXPECT_EQ(v.decision, hallmark::v1::DECISION_PASSED_THROUGH);
    EXPECT_EQ(v.reason, hallmark::v1::REASON_MODE_OFF);
    EXPECT_FALSE(v.return_marked);
  }
}

TEST(PolicyEngineTest, SuccessMarksInMarkAndEnforce) {
  for (Mode mode : {config::v1::MODE_MARK, config::v1::MODE_ENFORCE}) {
    const Verdict v = Decide(mode, MarkOutcome::kMarked);
    EXPECT_EQ(v.decision, hallmark::v1::DECISION_MARKED);
    EXPECT_EQ(v.reason, hallmark::v1::REASON_UNSPECIFIED);
    EXPECT_TRUE(v.return_marked);
  }
}

TEST(PolicyEngineTest, ShadowNeverReturnsMarkedAndRecordsWhatWouldFail) {
  EXPECT_EQ(Decide(config::v1::MODE_SHADOW, MarkOutcome::kMarked).decision,
            hallmark::v1::DECISION_SHADOWED);
  EXPECT_FALSE(Decide(config::v1::MODE_SHADOW, MarkOutcome::kMarked).return_marked);
  for (MarkOutcome failure : kFailures) {
    const Verdict v = Decide(config::v1::MODE_SHADOW, failure);
    EXPECT_EQ(v.decision, hallmark::v1::DECISION_SHADOWED);
    EXPECT_EQ(v.reason, ReasonFor(failure));
    EXPECT_FALSE(v.return_marked);
  }
}

TEST(PolicyEngineTest, EachFailureInMarkModePassesThroughWithItsReason) {
  for (MarkOutcome failure : kFailures) {
    const Verdict v = Decide(config::v1::MODE_MARK, failure);
    EXPECT_EQ(v.decision, hallmark::v1::DECISION_PASSED_THROUGH);
    EXPECT_EQ(v.reason, ReasonFor(failure));
    EXPECT_NE(v.reason, hallmark::v1::REASON_UNSPECIFIED);
    EXPECT_FALSE(v.return_marked);
  }
}

TEST(PolicyEngineTest, EachFailureInEnforceModeBlocks) {
  for (MarkOutcome failure : kFailures) {
    const Verdict v = Decide(config::v1::MODE_ENFORCE, failure);
    EXPECT_EQ(v.decision, hallmark::v1::DECISION_BLOCKED);
    EXPECT_EQ(v.reason, ReasonFor(failure));
    EXPECT_FALSE(v.return_marked);
  }
}

TEST(PolicyEngineTest, UnresolvedModeFailsClosed) {
  const Verdict v = Decide(config::v1::MODE_UNSPECIFIED, MarkOutcome::kMarked);
  EXPECT_EQ(v.decision, hallmark::v1::DECISION_BLOCKED);
  EXPECT_EQ(v.reason, hallmark::v1::REASON_INTERNAL);
}

TEST(PolicyEngineTest, BlockedStatusCarriesReasonAndFittingCode) {
  struct Case {
    Reason reason;
    absl::StatusCode code;
  };
  for (const Case& c : {Case{hallmark::v1::REASON_BUDGET, absl::StatusCode::kDeadlineExceeded},
                        Case{hallmark::v1::REASON_OVERLOAD, absl::StatusCode::kResourceExhausted},
                        Case{hallmark::v1::REASON_TOO_SHORT, absl::StatusCode::kFailedPrecondition},
                        Case{hallmark::v1::REASON_INTERNAL, absl::StatusCode::kInternal}}) {
    const absl::Status status = BlockedStatus(c.reason, "detail");
    EXPECT_EQ(status.code(), c.code);
    EXPECT_EQ(BlockedReason(status), c.reason);
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("detail"));
  }
  EXPECT_EQ(BlockedReason(absl::InvalidArgumentError("x")), hallmark::v1::REASON_UNSPECIFIED);
}

TEST(PolicyEngineTest, LabelsAreStableLowercaseNames) {
  EXPECT_EQ(ModeLabel(config::v1::MODE_ENFORCE), "enforce");
  EXPECT_EQ(DecisionLabel(hallmark::v1::DECISION_PASSED_THROUGH), "passed_through");
  EXPECT_EQ(ReasonLabel(hallmark::v1::REASON_TOO_SHORT), "too_short");
  EXPECT_EQ(ReasonLabel(hallmark::v1::REASON_UNSPECIFIED), "none");
}

}  // namespace
}  // namespace hallmark::sidecar
