#include "sidecar/keys/receipt_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ReceiptKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hallmark-receipt-key-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return (dir_ / name).string();
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  fs::path dir_;
};

TEST_F(ReceiptKeyTest, WithoutAFileTheKeyIsEphemeral) {
  absl::StatusOr<ReceiptKey> key = LoadReceiptKey("");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(key->ephemeral);
  EXPECT_EQ(key->source, "ephemeral");
  EXPECT_NE(LoadReceiptKey("").value().signer->key_id(), key->signer->key_id());
}

TEST_F(ReceiptKeyTest, LoadsAPemFile) {
  const std::string path = Write("receipt.pem", *provenance::GenerateReceiptPrivateKeyPem());
  absl::StatusOr<ReceiptKey> key = LoadReceiptKey(path);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_FALSE(key->ephemeral);
  EXPECT_EQ(key->source, path);
  // The same file, the same key.
  EXPECT_EQ(LoadReceiptKey(path).value().signer->key_id(), key->signer->key_id());
}

TEST_F(ReceiptKeyTest, ErrorsNameTheFile) {
  const std::string missing = (dir_ / "missing.pem").string();
  EXPECT_THAT(LoadReceiptKey(missing).status().message(),
              HasSubstr("cannot open receipt key file " + missing));
  const std::string big = Write("big.pem", std::string(kMaxReceiptKeyFileBytes + 1, 'x'));
  EXPECT_THAT(LoadReceiptKey(big).status().message(), HasSubstr("is larger than"));
  const std::string hex = Write("hex", "00112233445566778899aabbccddeeff\n");
  EXPECT_THAT(LoadReceiptKey(hex).status().message(),
              HasSubstr("receipt key file " + hex + ": the receipt key is not a PEM private key"));
}

TEST_F(ReceiptKeyTest, PublishesThePublicKey) {
  absl::StatusOr<ReceiptKey> key = LoadReceiptKey("");
  ASSERT_TRUE(key.ok());
  const std::string path = (dir_ / "public.pem").string();
  ASSERT_TRUE(WriteReceiptPublicKey(*key->signer, path).ok());
  EXPECT_EQ(Read(path), key->signer->public_key_pem());
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  // Replaced on the next start.
  absl::StatusOr<ReceiptKey> other = LoadReceiptKey("");
  ASSERT_TRUE(WriteReceiptPublicKey(*other->signer, path).ok());
  EXPECT_EQ(Read(path), other->signer->public_key_pem());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);

  EXPECT_FALSE(WriteReceiptPublicKey(*key->signer, (dir_ / "no/such/dir.pem").string()).ok());
}

TEST_F(ReceiptKeyTest, OneLinePublicKeyIsThePemBody) {
  absl::StatusOr<ReceiptKey> key = LoadReceiptKey("");
  ASSERT_TRUE(key.ok());
  const std::string line = OneLinePublicKey(*key->signer);
  EXPECT_EQ(key->signer->public_key_pem(),
            "-----BEGIN PUBLIC KEY-----\n" + line + "\n-----END PUBLIC KEY-----\n");
  std::string der;
  ASSERT_TRUE(absl::Base64Unescape(line, &der));
  EXPECT_EQ(der.size(), 44u);  // SubjectPublicKeyInfo of an Ed25519 key
}

}  // namespace
}  // namespace hallmark::sidecar
