#include "sidecar/policy/request_budget.h"

#include <algorithm>

namespace hallmark::sidecar {

RequestBudget::RequestBudget(const Clock& clock, absl::Time start, absl::Duration budget,
                             absl::Time caller_deadline)
    : clock_(clock), start_(start), deadline_(std::min(start + budget, caller_deadline)) {}

}  // namespace hallmark::sidecar
