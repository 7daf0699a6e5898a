// Counters and histograms for GET /metrics, rendered in the Prometheus text exposition format.
// Token counters and latency histograms are kept per served model (label model="id").
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace veil::server {

// A cumulative histogram with fixed upper bounds (seconds).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    // Appends `name`_bucket{<labels>,le=...}, _sum and _count (the family's HELP/TYPE lines are the
    // caller's, since several label sets share them). `labels` is e.g. `model="x"`, or empty.
    void render_series(std::string& out, const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    mutable std::mutex mu_;
    std::vector<uint64_t> counts_;  // per bucket (not cumulative); last = +Inf
    double sum_ = 0;
    uint64_t count_ = 0;
};

// One served model's series.
class ModelMetrics {
public:
    ModelMetrics();
    void add_prompt_tokens(uint64_t n) { prompt_tokens += n; }
    void add_generated_tokens(uint64_t n) { generated_tokens += n; }
    void observe_time_to_first_token(double seconds) { ttft.observe(seconds); }
    void observe_inter_token_latency(double seconds) { itl.observe(seconds); }

    std::atomic<uint64_t> prompt_tokens{0}, generated_tokens{0};
    Histogram ttft, itl;
};

// What the gauges read at render time (owned elsewhere).
struct MetricsSnapshot {
    uint32_t running = 0;
    uint32_t waiting = 0;
    struct Backend {
        std::string model_id;
        std::string stats_json;  // ServedModel::backend_stats_json()
        std::string error;       // why backend_stats_json failed, if it did
    };
    std::vector<Backend> backends;  // one per served model; empty = no model yet
};

class Metrics {
public:
    void count_response(int status);
    // The series of model `id`, created (all zero) on first use; valid as long as this object.
    ModelMetrics& model(const std::string& id);

    std::string render(const MetricsSnapshot& snapshot) const;

private:
    mutable std::mutex mu_;
    std::map<int, uint64_t> responses_;  // by HTTP status
    std::map<std::string, std::unique_ptr<ModelMetrics>> models_;
};

// "veil_backend_<key>{model=...}" series for every numeric field of each backend's stats JSON
// object (nested objects are flattened with '_'), one HELP/TYPE per name; a backend whose stats
// are unparsable contributes nothing.
std::string render_backend_stats(const std::vector<MetricsSnapshot::Backend>& backends);

}  // namespace veil::server
