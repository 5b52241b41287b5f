#include "sidecar/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace hallmark::sidecar {
namespace {

bool Enabled(const TokenBucketLimits& limits) { return limits.rate > 0; }

// Whether a bucket holds a whole token, forgiving the rounding of refills
// made of many small time steps.
bool HasToken(double tokens) { return tokens > 1 - 1e-9; }

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, Options options) : clock_(clock), options_(options) {
  global_.tokens = options_.global.burst;
  global_.updated = clock_.Now();
}

void RateLimiter::Refill(const TokenBucketLimits& limits, absl::Time now, Bucket& bucket) {
  // A clock that steps back refills nothing (and does not drain either).
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(limits.burst, bucket.tokens + elapsed * limits.rate);
  bucket.updated = std::max(bucket.updated, now);
}

absl::Duration RateLimiter::TimeToOneToken(const TokenBucketLimits& limits, const Bucket& bucket) {
  const double missing = std::max(0.0, 1.0 - bucket.tokens);
  return absl::Seconds(missing / limits.rate);
}

RateLimiter::Bucket& RateLimiter::ClientBucket(absl::string_view client, absl::Time now) {
  auto it = clients_.find(client);
  if (it != clients_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return it->second.bucket;
  }
  if (options_.max_clients > 0 && clients_.size() >= options_.max_clients) {
    clients_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.emplace_front(client);
  ClientEntry& entry = clients_[client];
  entry.bucket = Bucket{options_.per_client.burst, now};
  entry.recency = recency_.begin();
  return entry.bucket;
}

RateLimiter::Decision RateLimiter::Admit(absl::string_view client) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  Bucket* client_bucket = nullptr;
  if (Enabled(options_.per_client)) {
    client_bucket = &ClientBucket(client, now);
    Refill(options_.per_client, now, *client_bucket);
    if (!HasToken(client_bucket->tokens)) {
      return Decision{false, Limit::kClient, TimeToOneToken(options_.per_client, *client_bucket)};
    }
  }
  if (Enabled(options_.global)) {
    Refill(options_.global, now, global_);
    if (!HasToken(global_.tokens)) {
      return Decision{false, Limit::kGlobal, TimeToOneToken(options_.global, global_)};
    }
    global_.tokens -= 1;
  }
  if (client_bucket != nullptr) client_bucket->tokens -= 1;
  return Decision{};
}

size_t RateLimiter::tracked_clients() const {
  absl::MutexLock lock(&mu_);
  return clients_.size();
}

}  // namespace hallmark::sidecar
