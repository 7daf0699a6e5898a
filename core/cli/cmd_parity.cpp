// veil parity: teacher-forced comparison of Veil's logits with llama.cpp's reference output.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/parity_reference.h"
#include "runtime/loaded_model.h"
#include "runtime/sampler.h"

namespace veil::cli {

namespace {

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ab += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

double stddev(const std::vector<float>& v) {
    double mean = 0, sq = 0;
    for (float x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (float x : v) sq += (x - mean) * (x - mean);
    return std::sqrt(sq / static_cast<double>(v.size()));
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("parity", "--model PATH --reference REF.jsonl [--backend full|stream] [--threads N] [--quiet]",
                   "Feeds a llama.cpp reference's prompt and greedy tokens to the model (teacher forcing) and compares "
                   "the logits at every step. Passes when every step has cosine >= 0.999 (F32/F16 models) or >= "
                   "0.995 (quantized), and the token Veil ranks first has a reference logit within 0.05 standard "
                   "deviations of the reference maximum (llama.cpp's 8-bit activations make near-ties legitimate).");
    add_model_options(cl);
    cl.option("reference", "r", "FILE", "reference JSONL (shared/testdata/reference format)", true)
        .flag("quiet", "q", "print only the summary line");
    if (!cl.parse(args, std::cout)) return 0;

    ModelSelection sel = select_model_from_options(cl);
    ParityReference ref = read_parity_reference(cl.get("reference"));
    PluginHost plugins;
    plugins.load_all(sel.config.plugins);
    auto model = load_model(sel.config, plugins, sel.model, sel.load);
    const uint32_t n_vocab = model->backend->info().n_vocab;
    if (ref.steps[0].logits.size() != n_vocab)
        throw std::runtime_error("the reference has " + std::to_string(ref.steps[0].logits.size()) +
                                 " logits per step; the model has " + std::to_string(n_vocab));
    const double min_cos_required = model->source->quantized() ? 0.995 : 0.999;

    auto session = model->backend->new_session(model->n_ctx);
    std::vector<float> logits(n_vocab);
    double min_cos = 1.0;
    size_t agree = 0, near_ties = 0, failures = 0;
    for (size_t k = 0; k < ref.steps.size(); ++k) {
        if (k == 0)
            session->eval(ref.prompt, logits.data());
        else
            session->eval(std::span<const int32_t>(&ref.steps[k - 1].argmax, 1), logits.data());
        const ReferenceStep& step = ref.steps[k];
        const double cos = cosine(logits, step.logits);
        const int32_t ours = argmax(logits);
        const float ref_max = step.logits[static_cast<size_t>(argmax(step.logits))];
        const double margin = ref_max - step.logits[static_cast<size_t>(ours)];
        const double allowed = 0.05 * stddev(step.logits);
        const bool top1_ok = margin <= allowed;
        const bool ok = cos >= min_cos_required && top1_ok;
        min_cos = std::min(min_cos, cos);
        if (ours == step.argmax) ++agree;
        else if (top1_ok) ++near_ties;
        if (!ok) ++failures;
        if (!cl.has("quiet") || !ok)
            std::printf("step %3zu  cosine %.6f  top-1 veil %5d ref %5d  %s\n", k, cos, ours, step.argmax,
                        ok ? (ours == step.argmax ? "ok" : "ok (near-tie)")
                           : (cos < min_cos_required ? "FAIL: cosine" : "FAIL: top-1 beyond 0.05 sd"));
    }
    std::printf("parity %s: %zu steps, min cosine %.6f (required %.3f), top-1 agreement %zu/%zu (%zu near-ties), "
                "backend %s: %s\n",
                model->config.id.c_str(), ref.steps.size(), min_cos, min_cos_required, agree, ref.steps.size(),
                near_ties, model->decision.backend.c_str(), failures == 0 ? "PASS" : "FAIL");
    return failures == 0 ? 0 : 1;
}

}  // namespace

Command parity_command() { return {"parity", "compare logits with a llama.cpp reference (teacher-forced)", run}; }

}  // namespace veil::cli
