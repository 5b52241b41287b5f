#include "sidecar/config/config_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/metric_reader.h"

namespace hallmark::sidecar {
namespace {

namespace fs = std::filesystem;
using ::hallmark::testing::MetricValue;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class ConfigStoreTest : public ::testing::Test {
 protected:
  ConfigStoreTest() : metrics_({"test", "test"}) {
    watermark::RegisterBuiltinTextSchemes(schemes_);
  }
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hallmark-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directory(dir_ / "keys");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void WritePolicy(const std::string& yaml) { std::ofstream(dir_ / "policy.yaml") << yaml; }
  void WriteKey(const std::string& id) { std::ofstream(dir_ / "keys" / id) << kHexKey; }
  double Reloads(const std::string& result) {
    return MetricValue(*metrics_.registry(), "hallmark_config_reloads_total", {{"result", result}});
  }

  fs::path dir_;
  watermark::TextSchemeRegistry schemes_;
  telemetry::Metrics metrics_;
};

TEST_F(ConfigStoreTest, EmbeddedDefaultsWithEphemeralKey) {
  auto store = ConfigStore::Create({}, schemes_, metrics_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto config = (*store)->Current();
  EXPECT_TRUE(config->key_ring().ephemeral());
  EXPECT_EQ(config->policy().source, "embedded defaults");
  const SpaceRuntime& any = config->Resolve("any/space");
  EXPECT_EQ(any.policy.mode(), config::v1::MODE_MARK);
  EXPECT_EQ(any.budget, absl::Milliseconds(200));
  EXPECT_EQ(any.label, "other");
  EXPECT_FALSE(any.named);
  // Reloading without a key directory keeps the same ephemeral key, so marks
  // made before the reload still verify.
  const std::string key_id = config->active_key().id();
  ASSERT_TRUE((*store)->Reload().ok());
  EXPECT_EQ((*store)->Current()->active_key().id(), key_id);
}

TEST_F(ConfigStoreTest, ReloadSwapsValidAndKeepsLastGoodOnInvalid) {
  WriteKey("k1");
  WritePolicy("spaces:\n  \"a/b\": { mode: enforce }\n");
  auto store = ConfigStore::Create({(dir_ / "policy.yaml").string(), (dir_ / "keys").string()},
                                   schemes_, metrics_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto before = (*store)->Current();
  EXPECT_EQ(before->Resolve("a/b").policy.mode(), config::v1::MODE_ENFORCE);
  EXPECT_EQ(before->Resolve("a/b").label, "a/b");

  WritePolicy("spaces:\n  \"a/b\": { mode: shadow }\n");
  ASSERT_TRUE((*store)->Reload().ok());
  EXPECT_EQ((*store)->Current()->Resolve("a/b").policy.mode(), config::v1::MODE_SHADOW);
  EXPECT_EQ(Reloads("success"), 1);
  // A request that started before the reload still sees its own snapshot.
  EXPECT_EQ(before->Resolve("a/b").policy.mode(), config::v1::MODE_ENFORCE);

  WritePolicy("spaces:\n  \"a/b\": { mode: enforse }\n");
  absl::Status rejected = (*store)->Reload();
  EXPECT_FALSE(rejected.ok());
  EXPECT_THAT(std::string(rejected.message()), ::testing::HasSubstr("policy.yaml:2:"));
  EXPECT_EQ((*store)->Current()->Resolve("a/b").policy.mode(), config::v1::MODE_SHADOW);
  EXPECT_EQ(Reloads("rejected"), 1);
}

TEST_F(ConfigStoreTest, KeyRotation) {
  WriteKey("k1");
  WritePolicy("keys: { active: k1 }\n");
  auto store = ConfigStore::Create({(dir_ / "policy.yaml").string(), (dir_ / "keys").string()},
                                   schemes_, metrics_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Current()->active_key().id(), "k1");

  // Naming a key that is not there yet is rejected; k1 stays active.
  WritePolicy("keys: { active: k2 }\n");
  EXPECT_FALSE((*store)->Reload().ok());
  EXPECT_EQ((*store)->Current()->active_key().id(), "k1");

  WriteKey("k2");
  ASSERT_TRUE((*store)->Reload().ok());
  auto config = (*store)->Current();
  EXPECT_EQ(config->active_key().id(), "k2");
  EXPECT_EQ(config->key_ring().keys().size(), 2u);
  EXPECT_EQ(MetricValue(*metrics_.registry(), "hallmark_keys_loaded"), 2);
}

TEST_F(ConfigStoreTest, StartupErrorsNameTheProblem) {
  WritePolicy("default: { mode: sometimes }\n");
  auto bad_policy = ConfigStore::Create({(dir_ / "policy.yaml").string(), ""}, schemes_, metrics_);
  ASSERT_FALSE(bad_policy.ok());
  EXPECT_THAT(std::string(bad_policy.status().message()), ::testing::HasSubstr("default.mode"));

  auto no_keys = ConfigStore::Create({"", (dir_ / "keys").string()}, schemes_, metrics_);
  ASSERT_FALSE(no_keys.ok());
  EXPECT_THAT(std::string(no_keys.status().message()), ::testing::HasSubstr("holds no key files"));
}

TEST_F(ConfigStoreTest, UnnamedSpacesShareTheOtherLabel) {
  WritePolicy("spaces:\n  \"a/b\": { mode: off }\n");
  auto store = ConfigStore::Create({(dir_ / "policy.yaml").string(), ""}, schemes_, metrics_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto config = (*store)->Current();
  EXPECT_EQ(&config->Resolve("x/1"), &config->Resolve("y/2"));
  EXPECT_EQ(config->Resolve("x/1").label, "other");
  EXPECT_EQ(config->SpaceForTag(watermark::SpaceTag("a/b")), "a/b");
}

}  // namespace
}  // namespace hallmark::sidecar
