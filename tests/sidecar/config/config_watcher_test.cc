#include "sidecar/config/config_watcher.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sidecar/config/config_store.h"
#include "tests/support/metric_reader.h"
#include "tests/support/simulated_clock.h"

namespace hallmark::sidecar {
namespace {

namespace fs = std::filesystem;
using ::hallmark::testing::MetricValue;
using ::hallmark::testing::SimulatedClock;
using ::testing::ElementsAre;
using ::testing::Field;

constexpr absl::Duration kDebounce = absl::Milliseconds(200);
constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kHexKey2[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(DebouncerTest, FiresOnceAfterTheQuietPeriodOfTheLastEvent) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  Debouncer debouncer(kDebounce);
  EXPECT_FALSE(debouncer.due().has_value());
  EXPECT_FALSE(debouncer.TakeIfDue(t0));
  debouncer.OnEvent(t0);
  EXPECT_EQ(debouncer.due(), t0 + kDebounce);
  debouncer.OnEvent(t0 + absl::Milliseconds(150));  // the burst goes on
  EXPECT_FALSE(debouncer.TakeIfDue(t0 + kDebounce));
  EXPECT_TRUE(debouncer.TakeIfDue(t0 + absl::Milliseconds(350)));
  EXPECT_FALSE(debouncer.TakeIfDue(t0 + absl::Seconds(10)));
  EXPECT_FALSE(debouncer.due().has_value());
}

TEST(WatchedPathsForTest, PolicyDirectoryFilteredToTheFileKeysDirectoryWhole) {
  EXPECT_THAT(WatchedPathsFor("/etc/hallmark/policy.yaml", "/var/run/keys"),
              ElementsAre(AllOf(Field(&WatchedPath::directory, "/etc/hallmark"),
                                Field(&WatchedPath::file_name, "policy.yaml")),
                          AllOf(Field(&WatchedPath::directory, "/var/run/keys"),
                                Field(&WatchedPath::file_name, ""))));
  EXPECT_THAT(WatchedPathsFor("policy.yaml", ""),
              ElementsAre(AllOf(Field(&WatchedPath::directory, "."),
                                Field(&WatchedPath::file_name, "policy.yaml"))));
  EXPECT_TRUE(WatchedPathsFor("", "").empty());
}

class ConfigWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hallmark-watch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directory(dir_ / "config");
    fs::create_directory(dir_ / "keys");
    Write(dir_ / "config" / "policy.yaml", "default: { mode: mark }\n");
    Write(dir_ / "keys" / "k1", kHexKey);
  }
  void TearDown() override {
    watcher_.reset();
    fs::remove_all(dir_);
  }

  static void Write(const fs::path& path, const std::string& content) {
    std::ofstream(path) << content;
  }

  // A watcher on dir_/config/policy.yaml and dir_/keys counting reloads,
  // driven by Poll() on the simulated clock.
  void StartWatcher() {
    auto watcher = ConfigWatcher::Create(
        WatchedPathsFor((dir_ / "config" / "policy.yaml").string(), (dir_ / "keys").string()),
        kDebounce, clock_, [this] { ++reloads_; });
    ASSERT_TRUE(watcher.ok()) << watcher.status();
    watcher_ = *std::move(watcher);
  }

  // Reads what is queued (inotify queues events before the file system call
  // returns, so nothing needs waiting for), then lets the quiet period pass.
  // Returns the number of reloads this caused.
  int SettleAndCountReloads() {
    const int before = reloads_;
    EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration())) << "reloaded inside the quiet period";
    clock_.Advance(kDebounce - absl::Milliseconds(1));
    EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration())) << "reloaded inside the quiet period";
    clock_.Advance(absl::Milliseconds(1));
    EXPECT_TRUE(*watcher_->Poll(absl::ZeroDuration()));
    // Once only.
    clock_.Advance(absl::Seconds(5));
    EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
    return reloads_ - before;
  }

  // Reads the queued events; expects that none of them counts.
  void ExpectNothingRelevant() {
    EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
    EXPECT_EQ(watcher_->relevant_events(), 0);
    clock_.Advance(absl::Seconds(5));
    EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
    EXPECT_EQ(reloads_, 0);
  }

  fs::path dir_;
  SimulatedClock clock_;
  int reloads_ = 0;
  std::unique_ptr<ConfigWatcher> watcher_;
};

TEST_F(ConfigWatcherTest, NothingHappensWithoutChanges) {
  StartWatcher();
  ExpectNothingRelevant();
}

TEST_F(ConfigWatcherTest, InPlaceWriteReloadsOnceAfterTheQuietPeriod) {
  StartWatcher();
  Write(dir_ / "config" / "policy.yaml", "default: { mode: shadow }\n");
  EXPECT_EQ(SettleAndCountReloads(), 1);
  EXPECT_GT(watcher_->relevant_events(), 0);
}

TEST_F(ConfigWatcherTest, ABurstOfWritesIsOneReload) {
  StartWatcher();
  Write(dir_ / "config" / "policy.yaml", "default: { mode: shadow }\n");
  ASSERT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  clock_.Advance(absl::Milliseconds(150));
  // A second write inside the quiet period starts it again.
  Write(dir_ / "config" / "policy.yaml", "default: { mode: enforce }\n");
  ASSERT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  clock_.Advance(absl::Milliseconds(150));
  EXPECT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  clock_.Advance(absl::Milliseconds(50));
  EXPECT_TRUE(*watcher_->Poll(absl::ZeroDuration()));
  EXPECT_EQ(reloads_, 1);
}

TEST_F(ConfigWatcherTest, RenameOverThePolicyFileIsSeen) {
  StartWatcher();
  // An editor or `replace_file` writes a temporary file first: not a change yet.
  Write(dir_ / "config" / "policy.yaml.tmp", "default: { mode: shadow }\n");
  ASSERT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  EXPECT_EQ(watcher_->relevant_events(), 0);
  fs::rename(dir_ / "config" / "policy.yaml.tmp", dir_ / "config" / "policy.yaml");
  EXPECT_EQ(SettleAndCountReloads(), 1);
}

TEST_F(ConfigWatcherTest, OtherFilesNextToThePolicyAndDotFilesAreIgnored) {
  StartWatcher();
  Write(dir_ / "config" / "other.yaml", "x: 1\n");
  Write(dir_ / "config" / ".policy.yaml.swp", "swap");
  Write(dir_ / "keys" / ".k2.tmp", kHexKey);
  ExpectNothingRelevant();
}

TEST_F(ConfigWatcherTest, AnyKeyFileAddedOrRemovedIsSeen) {
  StartWatcher();
  // Written under a dot name and renamed in, as an operator should.
  Write(dir_ / "keys" / ".k2.tmp", kHexKey);
  fs::rename(dir_ / "keys" / ".k2.tmp", dir_ / "keys" / "k2");
  EXPECT_EQ(SettleAndCountReloads(), 1);
  fs::remove(dir_ / "keys" / "k1");
  EXPECT_EQ(SettleAndCountReloads(), 1);
}

// A Kubernetes ConfigMap/Secret volume: the visible files are links through
// `..data`, a link to a `..<timestamp>` directory. An update writes a new
// directory, points a new link at it and renames that over `..data`, then
// removes the old directory; the visible links never change.
class KubernetesVolume {
 public:
  explicit KubernetesVolume(fs::path root) : root_(std::move(root)) {}

  void Publish(const std::string& version,
               const std::vector<std::pair<std::string, std::string>>& files) {
    const std::string data_dir = ".." + version;
    fs::create_directory(root_ / data_dir);
    for (const auto& [name, content] : files) std::ofstream(root_ / data_dir / name) << content;
    fs::create_directory_symlink(data_dir, root_ / "..data_tmp");
    fs::rename(root_ / "..data_tmp", root_ / "..data");
    for (const auto& [name, content] : files) {
      if (!fs::is_symlink(root_ / name)) {
        fs::create_symlink(fs::path("..data") / name, root_ / name);
      }
    }
    if (!previous_.empty()) fs::remove_all(root_ / previous_);
    previous_ = data_dir;
  }

 private:
  fs::path root_;
  std::string previous_;
};

TEST_F(ConfigWatcherTest, KubernetesSymlinkSwapReloadsTheNewContent) {
  // Both sources as Kubernetes volumes, and a real ConfigStore reloaded.
  fs::remove(dir_ / "config" / "policy.yaml");
  fs::remove(dir_ / "keys" / "k1");
  KubernetesVolume config_map(dir_ / "config");
  KubernetesVolume secret(dir_ / "keys");
  config_map.Publish("2026_01_01_00_00_00.1", {{"policy.yaml", "default: { mode: mark }\n"}});
  secret.Publish("2026_01_01_00_00_00.2", {{"k1", kHexKey}});

  watermark::TextSchemeRegistry schemes;
  watermark::RegisterBuiltinTextSchemes(schemes);
  telemetry::Metrics metrics({"test", "test"});
  auto store = ConfigStore::Create(
      {(dir_ / "config" / "policy.yaml").string(), (dir_ / "keys").string()}, schemes, metrics);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Current()->Resolve("a/b").policy.mode(), config::v1::MODE_MARK);

  auto watcher = ConfigWatcher::Create(
      WatchedPathsFor((*store)->sources().policy_path, (*store)->sources().keys_dir), kDebounce,
      clock_, [&store] { ASSERT_TRUE((*store)->ReloadAndLog("test").ok()); });
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  watcher_ = *std::move(watcher);

  // The ConfigMap update: a new mode.
  config_map.Publish("2026_01_02_00_00_00.1", {{"policy.yaml", "default: { mode: enforce }\n"}});
  ASSERT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  clock_.Advance(kDebounce);
  ASSERT_TRUE(*watcher_->Poll(absl::ZeroDuration()));
  EXPECT_EQ((*store)->Current()->Resolve("a/b").policy.mode(), config::v1::MODE_ENFORCE);

  // The Secret update: a second key, then the ConfigMap makes it active.
  secret.Publish("2026_01_03_00_00_00.2", {{"k1", kHexKey}, {"k2", kHexKey2}});
  config_map.Publish("2026_01_03_00_00_00.1",
                     {{"policy.yaml", "default: { mode: enforce }\nkeys: { active: k2 }\n"}});
  ASSERT_FALSE(*watcher_->Poll(absl::ZeroDuration()));
  clock_.Advance(kDebounce);
  ASSERT_TRUE(*watcher_->Poll(absl::ZeroDuration()));
  EXPECT_EQ((*store)->Current()->active_key().id(), "k2");
  EXPECT_EQ((*store)->Current()->key_ring().keys().size(), 2u);
  EXPECT_EQ(
      MetricValue(*metrics.registry(), "hallmark_config_reloads_total", {{"result", "success"}}),
      2);
}

TEST_F(ConfigWatcherTest, BackgroundThreadReloadsByItself) {
  SystemClock clock;
  absl::Notification reloaded;
  std::atomic<int> reloads{0};
  auto watcher =
      ConfigWatcher::Create(WatchedPathsFor((dir_ / "config" / "policy.yaml").string(), ""),
                            absl::Milliseconds(20), clock, [&] {
                              if (reloads.fetch_add(1) == 0) reloaded.Notify();
                            });
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  (*watcher)->Start();
  Write(dir_ / "config" / "policy.yaml", "default: { mode: shadow }\n");
  // The limit only bounds a failure; success returns as soon as it reloads.
  EXPECT_TRUE(reloaded.WaitForNotificationWithTimeout(absl::Seconds(30)));
  watcher->reset();  // stops and joins the thread
  EXPECT_GE(reloads.load(), 1);
}

TEST_F(ConfigWatcherTest, MissingDirectoryFailsToCreate) {
  auto watcher =
      ConfigWatcher::Create({{(dir_ / "absent").string(), ""}}, kDebounce, clock_, [] {});
  EXPECT_FALSE(watcher.ok());
  EXPECT_THAT(std::string(watcher.status().message()), ::testing::HasSubstr("absent"));
}

}  // namespace
}  // namespace hallmark::sidecar
