#include "server/metrics.h"

#include <cctype>
#include <cstdio>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace veil::server {

namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

std::string metric_name(const std::string& raw) {
    std::string out;
    for (char c : raw) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    return out;
}

std::string escape_label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void header(std::string& out, const std::string& name, const char* type, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// A metric family: its HELP text and one line per label set.
struct Family {
    std::string help;
    std::vector<std::string> lines;
};

void flatten(const Poco::JSON::Object& obj, const std::string& prefix, const std::string& labels,
             std::map<std::string, Family>& out) {
    for (const auto& [key, value] : obj) {
        std::string name = prefix + "_" + metric_name(key);
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
            flatten(*value.extract<Poco::JSON::Object::Ptr>(), name, labels, out);
        } else if (value.isNumeric() || value.isBoolean()) {
            double v = value.isBoolean() ? (value.convert<bool>() ? 1 : 0) : value.convert<double>();
            Family& f = out[name];
            f.help = "backend statistic '" + key + "'";
            f.lines.push_back(name + labels + " " + number(v) + "\n");
        }
    }
}

std::string model_label(const std::string& id) { return "model=\"" + escape_label(id) + "\""; }

}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
    std::lock_guard lock(mu_);
    size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += value;
    ++count_;
}

void Histogram::render_series(std::string& out, const std::string& name, const std::string& labels) const {
    std::lock_guard lock(mu_);
    const std::string prefix = labels.empty() ? "" : labels + ",";
    const std::string own = labels.empty() ? "" : "{" + labels + "}";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out += name + "_bucket{" + prefix + "le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    cumulative += counts_.back();
    out += name + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    out += name + "_sum" + own + " " + number(sum_) + "\n";
    out += name + "_count" + own + " " + std::to_string(count_) + "\n";
}

ModelMetrics::ModelMetrics()
    : ttft({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      itl({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}) {}

ModelMetrics& Metrics::model(const std::string& id) {
    std::lock_guard lock(mu_);
    auto& slot = models_[id];
    if (!slot) slot = std::make_unique<ModelMetrics>();
    return *slot;
}

void Metrics::count_response(int status) {
    std::lock_guard lock(mu_);
    ++responses_[status];
}

std::string Metrics::render(const MetricsSnapshot& s) const {
    std::string out;
    header(out, "veil_requests_running", "gauge", "generations running now");
    out += "veil_requests_running " + std::to_string(s.running) + "\n";
    header(out, "veil_requests_waiting", "gauge", "generations waiting for a slot");
    out += "veil_requests_waiting " + std::to_string(s.waiting) + "\n";
    std::lock_guard lock(mu_);
    header(out, "veil_prompt_tokens_total", "counter", "prompt tokens processed");
    for (const auto& [id, m] : models_)
        out += "veil_prompt_tokens_total{" + model_label(id) + "} " + std::to_string(m->prompt_tokens.load()) + "\n";
    header(out, "veil_generated_tokens_total", "counter", "completion tokens generated");
    for (const auto& [id, m] : models_)
        out += "veil_generated_tokens_total{" + model_label(id) + "} " + std::to_string(m->generated_tokens.load()) + "\n";
    header(out, "veil_time_to_first_token_seconds", "histogram", "time from request arrival to the first completion text");
    for (const auto& [id, m] : models_) m->ttft.render_series(out, "veil_time_to_first_token_seconds", model_label(id));
    header(out, "veil_inter_token_latency_seconds", "histogram", "time between consecutive pieces of completion text");
    for (const auto& [id, m] : models_) m->itl.render_series(out, "veil_inter_token_latency_seconds", model_label(id));
    header(out, "veil_http_responses_total", "counter", "HTTP responses by status code");
    for (const auto& [status, n] : responses_)
        out += "veil_http_responses_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    if (!s.backends.empty()) {
        header(out, "veil_backend_stats_ok", "gauge", "1 when the backend's statistics could be read");
        for (const auto& b : s.backends)
            out += "veil_backend_stats_ok{" + model_label(b.model_id) + "} " + (b.error.empty() ? "1" : "0") + "\n";
        out += render_backend_stats(s.backends);
    }
    return out;
}

std::string render_backend_stats(const std::vector<MetricsSnapshot::Backend>& backends) {
    std::map<std::string, Family> families;
    for (const auto& b : backends) {
        try {
            Poco::JSON::Parser parser;
            auto v = parser.parse(b.stats_json);
            if (v.type() != typeid(Poco::JSON::Object::Ptr)) continue;
            flatten(*v.extract<Poco::JSON::Object::Ptr>(), "veil_backend", "{" + model_label(b.model_id) + "}",
                    families);
        } catch (const Poco::Exception&) {
            // a backend with broken stats must not break the whole scrape
        }
    }
    std::string out;
    for (const auto& [name, f] : families) {
        header(out, name, "gauge", f.help);
        for (const auto& line : f.lines) out += line;
    }
    return out;
}

}  // namespace veil::server
