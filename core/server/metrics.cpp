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

void flatten(const Poco::JSON::Object& obj, const std::string& prefix, const std::string& labels, std::string& out) {
    for (const auto& [key, value] : obj) {
        std::string name = prefix + "_" + metric_name(key);
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
            flatten(*value.extract<Poco::JSON::Object::Ptr>(), name, labels, out);
        } else if (value.isNumeric() || value.isBoolean()) {
            double v = value.isBoolean() ? (value.convert<bool>() ? 1 : 0) : value.convert<double>();
            header(out, name, "gauge", "backend statistic '" + key + "'");
            out += name + labels + " " + number(v) + "\n";
        }
    }
}

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

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
    std::lock_guard lock(mu_);
    header(out, name, "histogram", help);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out += name + "_bucket{le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    cumulative += counts_.back();
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    out += name + "_sum " + number(sum_) + "\n";
    out += name + "_count " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : ttft_({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      itl_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}) {}

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
    header(out, "veil_prompt_tokens_total", "counter", "prompt tokens processed");
    out += "veil_prompt_tokens_total " + std::to_string(prompt_tokens_.load()) + "\n";
    header(out, "veil_generated_tokens_total", "counter", "completion tokens generated");
    out += "veil_generated_tokens_total " + std::to_string(generated_tokens_.load()) + "\n";
    ttft_.render(out, "veil_time_to_first_token_seconds", "time from request arrival to the first completion text");
    itl_.render(out, "veil_inter_token_latency_seconds", "time between consecutive pieces of completion text");
    header(out, "veil_http_responses_total", "counter", "HTTP responses by status code");
    {
        std::lock_guard lock(mu_);
        for (const auto& [status, n] : responses_)
            out += "veil_http_responses_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
    if (!s.model_id.empty()) {
        header(out, "veil_backend_stats_ok", "gauge", "1 when the backend's statistics could be read");
        out += "veil_backend_stats_ok " + std::string(s.backend_stats_error.empty() ? "1" : "0") + "\n";
        out += render_backend_stats(s.backend_stats_json, s.model_id);
    }
    return out;
}

std::string render_backend_stats(const std::string& stats_json, const std::string& model_id) {
    try {
        Poco::JSON::Parser parser;
        auto v = parser.parse(stats_json);
        if (v.type() != typeid(Poco::JSON::Object::Ptr)) return "";
        std::string out;
        flatten(*v.extract<Poco::JSON::Object::Ptr>(), "veil_backend", "{model=\"" + escape_label(model_id) + "\"}",
                out);
        return out;
    } catch (const Poco::Exception&) {
        return "";  // a backend with broken stats must not break the whole scrape
    }
}

}  // namespace veil::server
