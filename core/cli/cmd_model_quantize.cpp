// veil model quantize IN OUT TYPE [--key-file K | --key-env NAME] [--threads N] [--force]:
// converts a GGUF model (plain or sealed) to another tensor type with llama.cpp's per-tensor
// choices (cli/model_quant_types.h), streaming tensor by tensor so memory stays bounded (one input
// tensor, one batch of output rows). Metadata is copied with general.file_type updated.
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/cmd_model.h"
#include "cli/model_file_writer.h"
#include "cli/model_quant_types.h"
#include "gguf/gguf_file.h"
#include "plugin_host/host_api.h"
#include "runtime/opened_model.h"
#include "sealed/file_io.h"
#include "sealed/seal_format.h"
#include "veil/engine/dequantize.h"

namespace veil::cli {

namespace {

bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    return std::filesystem::exists(b, ec) && std::filesystem::equivalent(a, b, ec);
}

// The input as the backends see it (a veil_model_source): plain files and sealed ones (decrypted
// on read) alike.
std::unique_ptr<OpenedModel> open_input(const std::string& path, const CommandLine& cl) {
    uint8_t magic[8] = {};
    {
        Fd fd = open_readonly(path);
        pread_exact(fd.get(), magic, std::min<uint64_t>(fd_size(fd.get(), path), sizeof magic), 0, path);
    }
    ModelConfig m;
    m.id = std::filesystem::path(path).stem().string();
    m.path = path;
    m.from_command_line = true;
    if (has_seal_magic(magic, sizeof magic)) {
        key_from_options(cl, true);  // a clear usage error when no key was given
        m.format = "sealed";
        if (cl.has("key-file")) m.key_file = cl.get("key-file");
        if (cl.has("key-env")) m.key_env = cl.get("key-env");
    } else if (cl.has("key-file") || cl.has("key-env")) {
        throw UsageError(path + " is not a sealed model; --key-file/--key-env apply to sealed models only");
    }
    return OpenedModel::open(m);
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("model quantize", "IN OUT TYPE [--key-file FILE | --key-env NAME] [--threads N] [--force]",
                   "Writes OUT: the GGUF model IN with its weights converted to TYPE (" + quant_target_names() +
                       "), choosing each tensor's type as llama.cpp's llama-quantize does (norms stay as they are, "
                       "output.weight Q6_K for quantized types, Q4_K_M's Q6_K layers). IN may use any tensor type Veil "
                       "reads, plain or sealed (with its key); already-quantized weights are dequantized first (with a "
                       "warning: quality drops). OUT is always a plain GGUF.");
    add_key_options(cl);
    cl.option("threads", "t", "N", "quantize with N threads (default 2)");
    cl.flag("force", "", "replace OUT when it exists");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 3, "IN OUT TYPE");
    const std::string in = cl.positional()[0], out = cl.positional()[1];
    const QuantTarget& target = quant_target(cl.positional()[2]);
    const int threads = static_cast<int>(cl.get_int("threads", 2));
    if (threads < 1 || threads > 256) throw UsageError("--threads must be 1..256");
    if (same_file(in, out)) throw UsageError("OUT (" + out + ") is IN: refusing to overwrite the input model");

    auto opened = open_input(in, cl);
    const GgufFile* src = &opened->gguf();
    const veil_model_source* source = opened->abi();
    std::vector<TensorShape> shapes;
    for (const auto& t : src->tensors()) shapes.push_back({std::string(t.name), t.type, t.n_dims, t.dims[0]});
    const std::vector<engine::GgmlType> types = choose_tensor_types(target, shapes);

    GgufWriter writer;
    for (const auto& kv : src->metadata()) writer.set_value(std::string(kv.key), kv.value);
    writer.set_u32("general.file_type", target.file_type);
    writer.set_u32("general.quantization_version", 2);  // GGML_QNT_VERSION

    std::vector<PlannedTensor> plan;
    std::vector<uint8_t> buffer;  // the input tensor being converted
    size_t requantized = 0;
    for (size_t i = 0; i < src->tensors().size(); ++i) {
        const GgufTensorInfo& t = src->tensors()[i];
        PlannedTensor p{std::string(t.name), types[i], std::vector<uint64_t>(t.dims, t.dims + t.n_dims), {}, false, {}};
        p.input = [source, &buffer, i, n = t.n_bytes, name = p.name]() {
            buffer.resize(static_cast<size_t>(n));
            throw_if_error(source->read(source->ctx, i, 0, buffer.data(), buffer.size(), 0), "reading tensor '" + name + "'");
            return static_cast<const uint8_t*>(buffer.data());
        };
        const auto in_type = static_cast<engine::GgmlType>(t.type);
        if (in_type == types[i]) {
            p.copy = true;
        } else {
            const size_t in_row = engine::row_bytes(in_type, static_cast<int64_t>(t.dims[0]));
            const auto ne0 = static_cast<int64_t>(t.dims[0]);
            p.rows = [in_row, in_type, ne0, in, name = p.name](const uint8_t* data, int64_t row, float* dst) {
                engine::dequantize_row_reference(in_type, data + static_cast<size_t>(row) * in_row, dst, ne0);
                // A NaN or Inf would become a block scale that poisons every value of its block
                // (llama.cpp's quantize refuses such data too).
                for (int64_t c = 0; c < ne0; ++c)
                    if (!std::isfinite(dst[c]))
                        throw std::runtime_error(in + ": tensor '" + name + "' row " + std::to_string(row) + " column " +
                                                 std::to_string(c) + " holds " + (std::isnan(dst[c]) ? "NaN" : "Inf") +
                                                 "; refusing to quantize it");
            };
            requantized += in_type != engine::GgmlType::F32 && in_type != engine::GgmlType::F16 &&
                           in_type != engine::GgmlType::BF16;
        }
        plan.push_back(std::move(p));
    }
    if (requantized)
        std::cerr << "warning: " << requantized << " tensors of " << in
                  << " are already quantized; re-quantizing them loses more quality than starting from F32/F16\n";

    WrittenModel w = write_model_file(writer, plan, out, cl.has("force"), threads);
    std::cout << "wrote " << out << ": " << plan.size() << " tensors, " << w.tensor_bytes << " bytes of weights ("
              << target.name << "), " << w.seconds << " s\n";
    return 0;
}

}  // namespace

ModelSubcommand model_quantize_subcommand() {
    return {"quantize", "convert a GGUF model's weights to F16, Q8_0, Q4_0, Q4_K_M, ... as llama.cpp does", run};
}

}  // namespace veil::cli
