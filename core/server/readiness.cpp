#include "server/readiness.h"

namespace veil::server {

void Readiness::require(const std::string& name, const std::string& why_not) { set(name, false, why_not); }

void Readiness::set(const std::string& name, bool met, const std::string& why_not) {
    std::lock_guard lock(mu_);
    if (met)
        pending_.erase(name);
    else
        pending_[name] = why_not.empty() ? "pending" : why_not;
}

bool Readiness::ready() const {
    std::lock_guard lock(mu_);
    return pending_.empty();
}

std::vector<std::string> Readiness::unmet() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, why] : pending_) out.push_back(name + ": " + why);
    return out;
}

}  // namespace veil::server
