#include "sidecar/server/socket_file.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

using ::testing::HasSubstr;

TEST(SocketFileTest, ParsesOctalModes) {
  EXPECT_EQ(*ParseSocketMode("0660"), 0660u);
  EXPECT_EQ(*ParseSocketMode("600"), 0600u);
  EXPECT_EQ(*ParseSocketMode("0"), 0u);
  for (const char* bad : {"", "0999", "rw-rw----", "06600", "-1"}) {
    EXPECT_THAT(ParseSocketMode(bad).status().message(), HasSubstr("--unix_socket_mode")) << bad;
  }
}

TEST(SocketFileTest, ParsesGroupNamesAndNumbers) {
  EXPECT_EQ(*ParseSocketGroup("2000"), 2000u);  // need not exist
  const group* root = getgrgid(0);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(*ParseSocketGroup(root->gr_name), 0u);
  const absl::Status unknown = ParseSocketGroup("no-such-group-hallmark").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("no group named \"no-such-group-hallmark\""));
}

TEST(SocketFileTest, PathOfAUnixAddress) {
  EXPECT_EQ(UnixSocketPath("unix:/run/h.sock"), "/run/h.sock");
  EXPECT_EQ(UnixSocketPath("unix:///run/h.sock"), "/run/h.sock");
  EXPECT_EQ(UnixSocketPath("unix:h.sock"), "h.sock");
}

TEST(SocketFileTest, AppliesModeAndGroup) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("socket-file-" + std::to_string(getpid())))
          .string();
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);

  // The process's own group is always allowed.
  ASSERT_TRUE(ApplySocketFileAccess(path, {0600, getegid()}).ok());
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_gid, getegid());

  ASSERT_TRUE(ApplySocketFileAccess(path, {0660, absl::nullopt}).ok());
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0660u);

  const absl::Status missing = ApplySocketFileAccess(path + ".gone", {0660, absl::nullopt});
  EXPECT_THAT(missing.message(), HasSubstr("chmod " + path + ".gone"));
  close(fd);
  unlink(path.c_str());
}

}  // namespace
}  // namespace hallmark::sidecar
