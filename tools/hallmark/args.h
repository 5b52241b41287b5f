// Command-line arguments of one `hallmark` subcommand: --name VALUE,
// --name=VALUE, boolean --name, and positional arguments.
#ifndef HALLMARK_TOOLS_HALLMARK_ARGS_H_
#define HALLMARK_TOOLS_HALLMARK_ARGS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::cli {

class Args {
 public:
  // `value_flags` take a value; `bool_flags` do not. Anything else starting
  // with "--" is an error naming it.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::set<std::string>& value_flags,
                                    const std::set<std::string>& bool_flags = {});

  std::string Get(absl::string_view name, absl::string_view fallback = "") const;
  bool Has(absl::string_view name) const { return values_.contains(name); }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  absl::flat_hash_map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace hallmark::cli

#endif  // HALLMARK_TOOLS_HALLMARK_ARGS_H_
