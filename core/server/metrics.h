// Counters and histograms for GET /metrics, rendered in the Prometheus text exposition format.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace veil::server {

// A cumulative histogram with fixed upper bounds (seconds).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    // Appends `name`'s HELP/TYPE lines, _bucket{le=...}, _sum and _count.
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<double> bounds_;
    mutable std::mutex mu_;
    std::vector<uint64_t> counts_;  // per bucket (not cumulative); last = +Inf
    double sum_ = 0;
    uint64_t count_ = 0;
};

// What the gauges read at render time (owned elsewhere).
struct MetricsSnapshot {
    uint32_t running = 0;
    uint32_t waiting = 0;
    std::string model_id;            // label of the backend series; empty = no model yet
    std::string backend_stats_json;  // ServedModel::backend_stats_json()
    std::string backend_stats_error; // why backend_stats_json failed, if it did
};

class Metrics {
public:
    Metrics();

    void count_response(int status);
    void add_prompt_tokens(uint64_t n) { prompt_tokens_ += n; }
    void add_generated_tokens(uint64_t n) { generated_tokens_ += n; }
    void observe_time_to_first_token(double seconds) { ttft_.observe(seconds); }
    void observe_inter_token_latency(double seconds) { itl_.observe(seconds); }

    std::string render(const MetricsSnapshot& snapshot) const;

private:
    std::atomic<uint64_t> prompt_tokens_{0}, generated_tokens_{0};
    Histogram ttft_, itl_;
    mutable std::mutex mu_;
    std::map<int, uint64_t> responses_;  // by HTTP status
};

// "veil_backend_<key>" series for every numeric field of a backend's stats JSON object (nested
// objects are flattened with '_'); anything unparsable yields nothing.
std::string render_backend_stats(const std::string& stats_json, const std::string& model_id);

}  // namespace veil::server
