#include "sidecar/keys/key_ring.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hallmark-keys-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
  }
  fs::path dir_;
};

TEST_F(KeyRingTest, LoadsKeysNamedByFile) {
  Write("k2026a", std::string(kHexKey) + "\n");
  Write("k2026b", kHexKey);
  auto ring = KeyRing::LoadDirectory(dir_.string());
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->keys().size(), 2u);
  EXPECT_NE((*ring)->keys().Find("k2026a"), nullptr);
  EXPECT_FALSE((*ring)->ephemeral());
  auto active = (*ring)->ActiveKey("k2026b");
  ASSERT_TRUE(active.ok());
  EXPECT_EQ((*active)->id(), "k2026b");
}

TEST_F(KeyRingTest, SkipsDotFilesAndKubernetesDataLinks) {
  Write("k1", kHexKey);
  fs::create_directory(dir_ / "..2026_11_27_05_00_00.123");
  Write("..2026_11_27_05_00_00.123/k1", kHexKey);
  fs::create_directory_symlink(dir_ / "..2026_11_27_05_00_00.123", dir_ / "..data");
  Write(".hidden", "not a key");
  auto ring = KeyRing::LoadDirectory(dir_.string());
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->keys().size(), 1u);
}

TEST_F(KeyRingTest, FollowsSymlinkedKeyFiles) {
  fs::create_directory(dir_ / "..data");
  Write("..data/k1", kHexKey);
  fs::create_symlink(dir_ / "..data/k1", dir_ / "k1");
  auto ring = KeyRing::LoadDirectory(dir_.string());
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_NE((*ring)->keys().Find("k1"), nullptr);
}

TEST_F(KeyRingTest, BadKeyFileIsNamed) {
  Write("good", kHexKey);
  Write("bad", "xyz");
  auto ring = KeyRing::LoadDirectory(dir_.string());
  ASSERT_FALSE(ring.ok());
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr("/bad"));
}

TEST_F(KeyRingTest, EmptyOrMissingDirectoryIsAnError) {
  EXPECT_EQ(KeyRing::LoadDirectory(dir_.string()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(KeyRing::LoadDirectory((dir_ / "missing").string()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KeyRingTest, ActiveKeyRules) {
  Write("a", kHexKey);
  auto one = KeyRing::LoadDirectory(dir_.string());
  ASSERT_TRUE(one.ok());
  auto only = (*one)->ActiveKey("");
  ASSERT_TRUE(only.ok());
  EXPECT_EQ((*only)->id(), "a");
  EXPECT_EQ((*one)->ActiveKey("zzz").status().code(), absl::StatusCode::kNotFound);

  Write("b", kHexKey);
  auto two = KeyRing::LoadDirectory(dir_.string());
  ASSERT_TRUE(two.ok());
  auto ambiguous = (*two)->ActiveKey("");
  EXPECT_EQ(ambiguous.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ambiguous.status().message()), HasSubstr("keys.active"));
}

TEST(KeyFileTest, ParsesHexWithWhitespace) {
  auto secret = KeyRing::ParseKeyFile(std::string("  ") + kHexKey + "\n");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->size(), 32u);
  EXPECT_FALSE(KeyRing::ParseKeyFile("abcd").ok());                           // too short
  EXPECT_FALSE(KeyRing::ParseKeyFile(std::string(kHexKey) + "a").ok());       // odd
  EXPECT_FALSE(KeyRing::ParseKeyFile(std::string(kHexKey, 62) + "zz").ok());  // not hex
}

TEST(EphemeralKeyRingTest, IsRandomAndMarked) {
  auto a = KeyRing::Ephemeral();
  auto b = KeyRing::Ephemeral();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE((*a)->ephemeral());
  EXPECT_THAT((*a)->keys().keys().front()->id(), ::testing::StartsWith("ephemeral-"));
  EXPECT_NE((*a)->keys().keys().front()->id(), (*b)->keys().keys().front()->id());
}

}  // namespace
}  // namespace hallmark::sidecar
