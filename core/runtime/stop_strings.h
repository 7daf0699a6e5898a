// Holds back completion text that might be the start of a stop string, so a client never sees
// part of a stop string, and cuts the text where a whole one appears.
#pragma once

#include <string>
#include <vector>

namespace veil {

class StopStringFilter {
public:
    explicit StopStringFilter(std::vector<std::string> stops);

    // Adds `piece`; returns the text that is now safe to emit. Sets stopped() when a stop string
    // completed (the returned text then ends right before it).
    std::string push(const std::string& piece);
    // At the end of generation: whatever was held back (unless stopped).
    std::string flush();
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string pending_;
    bool stopped_ = false;
};

}  // namespace veil
