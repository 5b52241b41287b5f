// Token buckets for the public detection endpoint: one per client (bounded
// table, least recently seen client evicted first) and one for everybody,
// so that neither a single client nor many together can take all the CPU.
#ifndef HALLMARK_SIDECAR_HTTP_RATE_LIMITER_H_
#define HALLMARK_SIDECAR_HTTP_RATE_LIMITER_H_

#include <cstddef>
#include <list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sidecar/clock/clock.h"

namespace hallmark::sidecar {

// A token bucket's settings: `rate` tokens per second refill a bucket that
// holds at most `burst` (a full bucket lets `burst` requests through at
// once). A rate <= 0 turns the bucket off: everything passes.
struct TokenBucketLimits {
  double rate = 0;
  double burst = 1;  // >= 1 when rate > 0
};

// Thread-safe (one mutex; each decision is a hash lookup and a few
// arithmetic operations).
class RateLimiter {
 public:
  struct Options {
    TokenBucketLimits per_client;
    TokenBucketLimits global;
    // Clients remembered at once; beyond, the least recently seen one is
    // forgotten (it starts again with a full bucket, which the global
    // bucket bounds).
    size_t max_clients = 10000;
  };

  enum class Limit { kNone, kClient, kGlobal };

  struct Decision {
    bool allowed = true;
    // Which bucket refused (kNone when allowed).
    Limit limited_by = Limit::kNone;
    // When refused: how long until that bucket holds a whole token.
    absl::Duration retry_after = absl::ZeroDuration();
  };

  // `clock` must outlive the limiter.
  RateLimiter(const Clock& clock, Options options);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `client`'s bucket and one from the global bucket,
  // or from neither when either is empty (a refused request costs nothing,
  // so a client hammering does not keep the others' share of the global
  // bucket empty for longer than its own requests do).
  Decision Admit(absl::string_view client) ABSL_LOCKS_EXCLUDED(mu_);

  // Clients currently in the table (for tests).
  size_t tracked_clients() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  struct ClientEntry {
    Bucket bucket;
    std::list<std::string>::iterator recency;  // position in recency_
  };

  // Refills `bucket` up to `limits.burst` for the time since it was updated.
  static void Refill(const TokenBucketLimits& limits, absl::Time now, Bucket& bucket);
  static absl::Duration TimeToOneToken(const TokenBucketLimits& limits, const Bucket& bucket);

  // The bucket of `client`, created full (evicting the least recently seen
  // client when the table is full) and marked most recently seen.
  Bucket& ClientBucket(absl::string_view client, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const Options options_;
  mutable absl::Mutex mu_;
  Bucket global_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ClientEntry> clients_ ABSL_GUARDED_BY(mu_);
  // Client keys, most recently seen first.
  std::list<std::string> recency_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_HTTP_RATE_LIMITER_H_
