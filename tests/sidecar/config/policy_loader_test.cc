#include "sidecar/config/policy_loader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

using ::testing::HasSubstr;

class PolicyLoaderTest : public ::testing::Test {
 protected:
  PolicyLoaderTest() { watermark::RegisterBuiltinTextSchemes(schemes_); }

  absl::StatusOr<LoadedPolicy> Parse(const std::string& yaml) {
    return ParsePolicy(yaml, "policy.yaml", schemes_);
  }
  std::string Error(const std::string& yaml) {
    auto parsed = Parse(yaml);
    EXPECT_FALSE(parsed.ok()) << yaml;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(parsed.status().message());
  }

  watermark::TextSchemeRegistry schemes_;
};

TEST_F(PolicyLoaderTest, ProductShapeParses) {
  auto parsed = Parse(R"(
default:
  mode: shadow
  budget_ms: 200
  text:  { scheme: unicode }
  image: { scheme: canonical-grid, max_pixels: 50000000 }
spaces:
  "acme/chat":     { mode: enforce }
  "acme/diffuser": { mode: mark, budget_ms: 150 }
keys:
  active: k2026a
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto& p = parsed->policy;
  EXPECT_EQ(p.default_().mode(), config::v1::MODE_SHADOW);
  EXPECT_EQ(p.default_().budget_ms(), 200u);
  EXPECT_EQ(p.default_().image().max_pixels(), 50000000u);
  EXPECT_EQ(p.spaces().at("acme/chat").mode(), config::v1::MODE_ENFORCE);
  EXPECT_EQ(p.spaces().at("acme/diffuser").budget_ms(), 150u);
  EXPECT_EQ(p.keys().active(), "k2026a");
}

TEST_F(PolicyLoaderTest, ExamplePolicyIsValid) {
  auto loaded =
      LoadPolicyFile(std::string(HALLMARK_SOURCE_DIR) + "/examples/policy.yaml", schemes_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->policy.spaces_size(), 4);
}

TEST_F(PolicyLoaderTest, EmptyDocumentIsTheDefaults) {
  auto parsed = Parse("");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto resolved = ResolveSpacePolicy(parsed->policy.default_(), nullptr);
  EXPECT_EQ(resolved.mode(), config::v1::MODE_MARK);
  EXPECT_EQ(resolved.budget_ms(), kDefaultBudgetMs);
  EXPECT_EQ(resolved.text().scheme(), "unicode");
}

TEST_F(PolicyLoaderTest, UnknownModeNamesFieldLineAndChoices) {
  const std::string error = Error("spaces:\n  \"a/b\":\n    mode: enforse\n");
  EXPECT_THAT(error, HasSubstr("policy.yaml:3:11"));
  EXPECT_THAT(error, HasSubstr("spaces.\"a/b\".mode"));
  EXPECT_THAT(error, HasSubstr("unknown value \"enforse\""));
  EXPECT_THAT(error, HasSubstr("off, shadow, mark, enforce"));
}

TEST_F(PolicyLoaderTest, UnknownFieldIsAnError) {
  const std::string error = Error("default:\n  mood: mark\n");
  EXPECT_THAT(error, HasSubstr("policy.yaml:2:3"));
  EXPECT_THAT(error, HasSubstr("default.mood: unknown field"));
  EXPECT_THAT(error, HasSubstr("mode, budget_ms, text, image"));
}

TEST_F(PolicyLoaderTest, UppercaseAndUnspecifiedEnumValuesAreRejected) {
  EXPECT_THAT(Error("default: { mode: ENFORCE }"), HasSubstr("unknown value"));
  EXPECT_THAT(Error("default: { mode: unspecified }"), HasSubstr("unknown value"));
}

TEST_F(PolicyLoaderTest, NumbersAreChecked) {
  EXPECT_THAT(Error("default: { budget_ms: fast }"),
              HasSubstr("default.budget_ms: expected a whole number"));
  EXPECT_THAT(Error("default: { budget_ms: -5 }"), HasSubstr("expected a whole number"));
  EXPECT_THAT(Error("default: { budget_ms: 99999999999 }"), HasSubstr("expected a whole number"));
  const std::string zero = Error("default:\n  budget_ms: 0\n");
  EXPECT_THAT(zero, HasSubstr("policy.yaml:2:3: default.budget_ms: must be from 1 to 60000"));
  EXPECT_THAT(Error("spaces: { \"x/y\": { budget_ms: 70000 } }"),
              HasSubstr("spaces.\"x/y\".budget_ms: must be from 1 to 60000"));
  EXPECT_THAT(Error("default: { text: { max_bytes: 0 } }"), HasSubstr("default.text.max_bytes"));
}

TEST_F(PolicyLoaderTest, UnknownSchemeListsKnownOnes) {
  const std::string error = Error("spaces:\n  \"x/y\": { text: { scheme: zerowidth } }\n");
  EXPECT_THAT(error, HasSubstr("spaces.\"x/y\".text.scheme: unknown text scheme \"zerowidth\""));
  EXPECT_THAT(error, HasSubstr("known: unicode"));
  const std::string image = Error("default: { image: { scheme: dwtdct } }\n");
  EXPECT_THAT(image, HasSubstr("default.image.scheme: unknown image scheme \"dwtdct\""));
  EXPECT_THAT(image, HasSubstr("known: canonical-grid"));
}

TEST_F(PolicyLoaderTest, ImageLimitsAreChecked) {
  EXPECT_THAT(Error("default: { image: { max_pixels: 0 } }"),
              HasSubstr("default.image.max_pixels: must be from 1 to"));
  EXPECT_THAT(Error("default: { image: { max_bytes: 0 } }"),
              HasSubstr("default.image.max_bytes: must be from 1 to"));
  EXPECT_THAT(Error("default: { image: { jpeg_quality: 101 } }"),
              HasSubstr("default.image.jpeg_quality: must be from 0"));
}

TEST_F(PolicyLoaderTest, WrongShapesAreErrors) {
  EXPECT_THAT(Error("default: mark"), HasSubstr("default: expected a mapping"));
  EXPECT_THAT(Error("spaces: [a, b]"), HasSubstr("spaces: expected a mapping"));
  EXPECT_THAT(Error("default: { mode: [mark] }"),
              HasSubstr("default.mode: expected a single value"));
  EXPECT_THAT(Error("- just\n- a list\n"), HasSubstr("(top level): expected a mapping"));
}

TEST_F(PolicyLoaderTest, SyntaxErrorNamesTheLine) {
  const std::string error = Error("default:\n  mode: mark\n spaces: {\n");
  EXPECT_THAT(error, HasSubstr("policy.yaml:"));
  EXPECT_THAT(error, HasSubstr("YAML syntax error"));
}

TEST_F(PolicyLoaderTest, SpaceNamesAndKeyIdsAreChecked) {
  EXPECT_THAT(Error("spaces: { other: { mode: off } }"), HasSubstr("reserved"));
  EXPECT_THAT(Error("spaces: { \"\": { mode: off } }"), HasSubstr("must not be empty"));
  EXPECT_THAT(Error("keys: { active: \"../etc/passwd\" }"), HasSubstr("keys.active"));
}

TEST_F(PolicyLoaderTest, MissingFileIsNotFound) {
  auto loaded = LoadPolicyFile("/nonexistent/policy.yaml", schemes_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("/nonexistent/policy.yaml"));
}

TEST_F(PolicyLoaderTest, SpaceOverridesOnlyWhatItSets) {
  auto parsed = Parse(R"(
default: { mode: shadow, budget_ms: 120, text: { max_bytes: 5000 } }
spaces:
  "a/b": { mode: enforce }
  "c/d": { budget_ms: 50 }
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto& p = parsed->policy;
  const auto ab = ResolveSpacePolicy(p.default_(), &p.spaces().at("a/b"));
  EXPECT_EQ(ab.mode(), config::v1::MODE_ENFORCE);
  EXPECT_EQ(ab.budget_ms(), 120u);
  EXPECT_EQ(ab.text().max_bytes(), 5000u);
  const auto cd = ResolveSpacePolicy(p.default_(), &p.spaces().at("c/d"));
  EXPECT_EQ(cd.mode(), config::v1::MODE_SHADOW);
  EXPECT_EQ(cd.budget_ms(), 50u);
  EXPECT_EQ(cd.text().scheme(), "unicode");
}

TEST(SpaceNameTest, Rules) {
  EXPECT_TRUE(ValidateSpaceName("org/app").ok());
  EXPECT_FALSE(ValidateSpaceName("").ok());
  EXPECT_FALSE(ValidateSpaceName(std::string(257, 'a')).ok());
  EXPECT_FALSE(ValidateSpaceName("a\nb").ok());
}

}  // namespace
}  // namespace hallmark::sidecar
