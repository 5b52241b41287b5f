// How many cores hallmarkd may actually use: the CPUs its affinity mask
// allows (taskset, Kubernetes' static CPU manager, cpusets), capped by a
// cgroup CPU quota (Kubernetes and Docker CPU limits). The work-slot
// defaults are per usable core, not per core of the machine: a pod limited
// to 2 CPUs on a 64-core node must not admit 64 image encodes at once.
#ifndef HALLMARK_SIDECAR_POLICY_USABLE_CORES_H_
#define HALLMARK_SIDECAR_POLICY_USABLE_CORES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace hallmark::sidecar {

struct UsableCores {
  int cores = 1;     // what the defaults use: at least 1
  int affinity = 1;  // CPUs in the affinity mask
  // The cgroup CPU quota in cores (e.g. 1.5), unset when unlimited or unknown.
  absl::optional<double> quota;
  std::string quota_source;  // the file the quota came from, for the log
};

// cgroup v2 `cpu.max`: "QUOTA PERIOD" (microseconds) or "max PERIOD".
// The quota in cores, or unset for "max" and anything malformed.
absl::optional<double> ParseCgroupV2CpuMax(absl::string_view content);

// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` (-1 = unlimited).
absl::optional<double> ParseCgroupV1Quota(absl::string_view quota_us, absl::string_view period_us);

// min(affinity, quota rounded up), at least 1. A quota of 1.5 cores allows
// 2 threads to run part of the time: rounding up keeps both slots busy.
int CoresFor(int affinity, absl::optional<double> quota);

// Reads this process's affinity mask and the cgroup CPU quota as seen from
// inside its cgroup namespace (/sys/fs/cgroup/cpu.max, else the v1
// cpu controller's files).
UsableCores DetectUsableCores();

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_POLICY_USABLE_CORES_H_
