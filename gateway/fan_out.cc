#include "gateway/fan_out.h"

#include <latch>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kyodo::gateway {

bool FanOutLimit::TryTake(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_flight_ + n > max_calls_) return false;
  in_flight_ += n;
  return true;
}

void FanOutLimit::Give(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_ -= n;
}

int FanOutLimit::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

absl::Status FanOut::Run() {
  const int n = static_cast<int>(parts_.size());
  if (n == 0) return absl::OkStatus();
  if (!limit_->TryTake(n)) {
    return common::ErrorWithReason(
        absl::StatusCode::kResourceExhausted,
        kyodo::type::v1::DOWNSTREAM_CALLS_EXHAUSTED,
        absl::StrCat("the gateway has its ", limit_->max_calls(),
                     " downstream calls in flight; retry with backoff"));
  }
  std::latch pending(n);
  for (auto& part : parts_) {
    // Each call is given back as soon as its part ends, not with the last.
    part([this, &pending] {
      limit_->Give(1);
      pending.count_down();
    });
  }
  pending.wait();
  parts_.clear();
  return absl::OkStatus();
}

}  // namespace kyodo::gateway
