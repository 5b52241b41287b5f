// Reads metric values back from a prometheus-cpp registry (Collect()), so
// tests check what a scrape would show.
#ifndef HALLMARK_TESTS_SUPPORT_METRIC_READER_H_
#define HALLMARK_TESTS_SUPPORT_METRIC_READER_H_

#include <map>
#include <string>

#include "prometheus/registry.h"

namespace hallmark::testing {

// The value of the counter or gauge `name` whose labels include all of
// `labels` (summed over matching series); histograms give their sample count.
// -1 when no series matches.
inline double MetricValue(const prometheus::Registry& registry, const std::string& name,
                          const std::map<std::string, std::string>& labels = {}) {
  double total = 0;
  bool found = false;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      bool match = true;
      for (const auto& [key, value] : labels) {
        bool has = false;
        for (const auto& label : metric.label) {
          if (label.name == key && label.value == value) has = true;
        }
        match = match && has;
      }
      if (!match) continue;
      found = true;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          total += metric.counter.value;
          break;
        case prometheus::MetricType::Gauge:
          total += metric.gauge.value;
          break;
        case prometheus::MetricType::Histogram:
          total += static_cast<double>(metric.histogram.sample_count);
          break;
        default:
          break;
      }
    }
  }
  return found ? total : -1;
}

// Number of series of `name`.
inline int SeriesCount(const prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name == name) return static_cast<int>(family.metric.size());
  }
  return 0;
}

}  // namespace hallmark::testing

#endif  // HALLMARK_TESTS_SUPPORT_METRIC_READER_H_
