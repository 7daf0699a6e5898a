#include "policy/policy.h"

#include <cmath>
#include <cstdio>

namespace veil {

std::string human_bytes(uint64_t bytes) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[48];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
    return buf;
}

namespace {

std::string percent(double t) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%g%%", t * 100);
    return buf;
}

std::string epc_phrase(const PolicyInputs& in) {
    std::string source = in.epc_source == "config"       ? "set by policy.epc_bytes"
                         : in.epc_source == "--epc-bytes" ? "given by --epc-bytes"
                                                          : "reported by " + in.epc_source;
    return "the " + human_bytes(*in.epc_bytes) + " EPC " + source;
}

}  // namespace

PolicyDecision decide_backend(const PolicyInputs& in) {
    if (!(in.threshold > 0 && in.threshold <= 1)) throw PolicyError("policy.stream_threshold must be in (0, 1]");
    PolicyDecision d;
    d.model = in.model_id;
    d.model_bytes = in.model_bytes;
    d.epc_bytes = in.epc_bytes.value_or(0);
    d.epc_source = in.epc_bytes ? in.epc_source : "none";
    d.threshold = in.threshold;

    const std::string model = "model '" + in.model_id + "' has " + human_bytes(in.model_bytes) + " of weights";
    // Exact comparison: model_bytes > threshold * epc, in long double (64-bit mantissa) so that
    // byte counts up to 2^63 compare without rounding at the boundary.
    bool exceeds = false;
    long double limit = 0;
    if (in.epc_bytes) {
        limit = static_cast<long double>(in.threshold) * static_cast<long double>(*in.epc_bytes);
        exceeds = static_cast<long double>(in.model_bytes) > limit;
    }
    auto stream_budget = [&]() -> uint64_t {
        if (!in.epc_bytes) return 0;  // unknown EPC: backend_stream uses its own configured budget
        if (*in.epc_bytes <= in.reserve_bytes)
            throw PolicyError(model + "; " + epc_phrase(in) + " leaves nothing after the " +
                              human_bytes(in.reserve_bytes) + " reserve (policy.reserve_bytes)");
        return *in.epc_bytes - in.reserve_bytes;
    };

    if (in.requested == "full") {
        if (!in.full_available) throw PolicyError(model + "; backend: full was requested but backend_full is not loaded");
        if (in.epc_bytes && in.model_bytes > *in.epc_bytes)
            throw PolicyError(model + "; backend: full cannot hold it in " + epc_phrase(in) +
                              "; use backend: stream (or auto) or raise the EPC");
        d.backend = "backend_full";
        d.reason = "backend: full requested in the configuration";
        return d;
    }
    if (in.requested == "stream") {
        if (!in.stream_available)
            throw PolicyError(model + "; backend: stream was requested but backend_stream is not loaded — enable "
                                      "plugins/backend_stream");
        d.backend = "backend_stream";
        d.memory_budget = stream_budget();
        d.reason = "backend: stream requested in the configuration";
        return d;
    }
    if (in.requested != "auto") throw PolicyError("unknown backend choice '" + in.requested + "' (auto, full, stream)");

    if (!in.epc_bytes) {
        if (!in.full_available) {
            if (!in.stream_available) throw PolicyError(model + "; no backend plugin is loaded");
            d.backend = "backend_stream";
            d.reason = "no EPC is known and backend_full is not loaded";
            return d;
        }
        d.backend = "backend_full";
        d.reason = "no protected-memory limit is known (no TEE provider and no policy.epc_bytes)";
        return d;
    }
    // "75% of the 3 GiB EPC reported by tee_snp is 2.25 GiB": the refusal's wording (the numbers an
    // operator needs); the decisions below state the limit first and the rule in parentheses.
    const std::string limit_text = human_bytes(static_cast<uint64_t>(std::floor(limit)));
    const std::string rule = percent(in.threshold) + " of " + epc_phrase(in);
    const std::string comparison = rule + " is " + limit_text;
    const std::string bound = limit_text + " (" + rule + ")";
    if (exceeds) {
        if (!in.stream_available)
            throw PolicyError(model + "; " + comparison + "; enable plugins/backend_stream or raise the EPC");
        d.backend = "backend_stream";
        d.memory_budget = stream_budget();
        d.reason = model + ", more than " + bound + ": streaming with a budget of " +
                   human_bytes(d.memory_budget);
        return d;
    }
    if (!in.full_available) {
        if (!in.stream_available) throw PolicyError(model + "; no backend plugin is loaded");
        d.backend = "backend_stream";
        d.memory_budget = stream_budget();
        d.reason = model + ", at most " + bound + ", but backend_full is not loaded";
        return d;
    }
    d.backend = "backend_full";
    d.reason = model + ", at most " + bound;
    return d;
}

}  // namespace veil
