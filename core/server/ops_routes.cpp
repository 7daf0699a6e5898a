// Operations endpoints: GET /health (the process answers), GET /ready (every readiness condition
// holds: model loaded, TEE self-check passed, not draining), GET /metrics (Prometheus text).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "server/http_io.h"
#include "server/routes.h"

namespace veil::server {

void add_ops_routes(Router& router, ServerContext& ctx) {
    router.add(
        "GET", "/health",
        [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            Poco::JSON::Object out;
            out.set("status", std::string("ok"));
            send_json(response, out);
        },
        /*open=*/true);
    router.add(
        "GET", "/ready",
        [&ctx](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            Poco::JSON::Object out;
            if (ctx.readiness.ready()) {
                out.set("status", std::string("ready"));
                send_json(response, out);
                return;
            }
            Poco::JSON::Array::Ptr waiting = new Poco::JSON::Array;
            for (const auto& w : ctx.readiness.unmet()) waiting->add(w);
            out.set("status", std::string("not ready"));
            out.set("waiting_for", waiting);
            response.set("Retry-After", "1");
            send_json(response, out, 503);
        },
        /*open=*/true);
    router.add("GET", "/metrics", [&ctx](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        MetricsSnapshot s;
        s.running = ctx.admission.running();
        s.waiting = ctx.admission.waiting();
        for (const auto& loaded : ctx.models()) {
            MetricsSnapshot::Backend b;
            b.model_id = loaded.model->id();
            try {
                b.stats_json = loaded.model->backend_stats_json();
            } catch (const std::exception& e) {
                // One failing backend counter must not take the whole scrape down.
                b.error = e.what();
            }
            s.backends.push_back(std::move(b));
        }
        send_text(response, "text/plain; version=0.0.4; charset=utf-8", ctx.metrics.render(s));
    });
}

}  // namespace veil::server
