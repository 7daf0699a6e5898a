// Readiness for GET /ready: a set of named conditions that must all hold ("model" loaded, "tee"
// self-check passed when a TEE is configured, not "draining"). Whoever owns a condition sets it.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace veil::server {

class Readiness {
public:
    // Declares a condition that is not met yet (e.g. require("tee") when a TEE is configured).
    void require(const std::string& name, const std::string& why_not = "pending");
    // Marks a condition met (or unmet again, with the reason).
    void set(const std::string& name, bool met, const std::string& why_not = "");

    bool ready() const;
    // Unmet conditions as "name: reason".
    std::vector<std::string> unmet() const;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::string> pending_;  // unmet condition -> reason
};

}  // namespace veil::server
