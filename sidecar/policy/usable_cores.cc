#include "sidecar/policy/usable_cores.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace hallmark::sidecar {
namespace {

// Anything outside this is treated as no quota (a misread file must not
// throttle the daemon to nothing).
constexpr double kMaxQuotaCores = 1 << 16;

absl::optional<double> QuotaCores(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return absl::nullopt;
  const double cores = static_cast<double>(quota) / static_cast<double>(period);
  if (!(cores > 0) || cores > kMaxQuotaCores) return absl::nullopt;
  return cores;
}

absl::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

int AffinityCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

absl::optional<double> ParseCgroupV2CpuMax(absl::string_view content) {
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(content), ' ', absl::SkipEmpty());
  if (fields.size() != 2 || fields[0] == "max") return absl::nullopt;
  int64_t quota = 0;
  int64_t period = 0;
  if (!absl::SimpleAtoi(fields[0], &quota) || !absl::SimpleAtoi(fields[1], &period)) {
    return absl::nullopt;
  }
  return QuotaCores(quota, period);
}

absl::optional<double> ParseCgroupV1Quota(absl::string_view quota_us, absl::string_view period_us) {
  int64_t quota = 0;
  int64_t period = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(quota_us), &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(period_us), &period)) {
    return absl::nullopt;
  }
  return QuotaCores(quota, period);
}

int CoresFor(int affinity, absl::optional<double> quota) {
  int cores = std::max(1, affinity);
  if (quota.has_value()) cores = std::min(cores, static_cast<int>(std::ceil(*quota)));
  return std::max(1, cores);
}

UsableCores DetectUsableCores() {
  UsableCores usable;
  usable.affinity = AffinityCount();
  if (absl::optional<std::string> v2 = ReadSmallFile("/sys/fs/cgroup/cpu.max")) {
    usable.quota = ParseCgroupV2CpuMax(*v2);
    usable.quota_source = "/sys/fs/cgroup/cpu.max";
  } else {
    for (const char* dir : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      const std::string base(dir);
      absl::optional<std::string> quota = ReadSmallFile(base + "/cpu.cfs_quota_us");
      absl::optional<std::string> period = ReadSmallFile(base + "/cpu.cfs_period_us");
      if (!quota.has_value() || !period.has_value()) continue;
      usable.quota = ParseCgroupV1Quota(*quota, *period);
      usable.quota_source = base + "/cpu.cfs_quota_us";
      break;
    }
  }
  usable.cores = CoresFor(usable.affinity, usable.quota);
  return usable;
}

}  // namespace hallmark::sidecar
