// veil model inspect PATH [--key-file K | --key-env NAME] [--json]: what a GGUF or sealed model
// holds — metadata, tensor table, bytes by type — without reading (or decrypting) any weights.
#include <fcntl.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "cli/cmd_model.h"
#include "gguf/gguf_file.h"
#include "sealed/file_io.h"
#include "sealed/seal_format.h"
#include "sealed/sealed_file.h"
#include "util/sha256.h"

namespace veil::cli {

namespace {

// What inspect found, whichever the container.
struct Model {
    std::string path;
    std::unique_ptr<SealedFile> sealed;  // null for plain GGUF
    std::unique_ptr<GgufFile> gguf;      // header-only for sealed files
};

Model open_model(const std::string& path, const std::optional<SealKey>& key) {
    Model m;
    m.path = path;
    uint8_t magic[8] = {};
    {
        Fd fd = open_readonly(path);
        uint64_t size = fd_size(fd.get(), path);
        pread_exact(fd.get(), magic, std::min<uint64_t>(size, sizeof magic), 0, path);
    }
    if (has_seal_magic(magic, sizeof magic)) {
        m.sealed = key ? SealedFile::open(path, *key) : SealedFile::open_unverified(path);
        const auto& region = m.sealed->gguf_header();
        m.gguf = GgufFile::parse_header_region(region.data(), region.size(), m.sealed->header().plaintext_size, path);
    } else {
        if (key) throw UsageError(path + " is not a sealed model; --key-file/--key-env apply to sealed models only");
        m.gguf = GgufFile::open(path);
    }
    return m;
}

std::string type_name(uint32_t type) {
    auto ti = gguf_tensor_type_info(type);
    return ti ? std::string(ti->name) : "type" + std::to_string(type);
}

std::string printable(std::string_view s, size_t max) {
    std::string out;
    for (char c : s.substr(0, max)) {
        if (c == '\n') out += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20) out += '?';
        else out += c;
    }
    if (s.size() > max) out += "... (" + std::to_string(s.size()) + " chars)";
    return out;
}

std::string scalar_text(const GgufValue& v) {
    switch (v.type) {
        case GgufValueType::STRING: return printable(v.str, 80);
        case GgufValueType::BOOL: return v.u ? "true" : "false";
        case GgufValueType::FLOAT32:
        case GgufValueType::FLOAT64: {
            std::ostringstream o;
            o << v.f;
            return o.str();
        }
        default: return v.is_signed_int() ? std::to_string(v.i) : std::to_string(v.u);
    }
}

// Short numeric arrays are shown whole; anything else as "[array of N type]".
std::string value_text(const GgufValue& v) {
    if (!v.is_array()) return scalar_text(v);
    std::string summary = "[array of " + std::to_string(v.count) + " " + std::string(gguf_value_type_name(v.elem_type)) +
                          (v.elem_type == GgufValueType::STRING ? "s]" : "]");
    if (v.count > 8 || gguf_value_type_size(v.elem_type) == 0) return summary;
    std::string out = "[";
    for (uint64_t k = 0; k < v.count; ++k) {
        if (k) out += ", ";
        bool is_float = v.elem_type == GgufValueType::FLOAT32 || v.elem_type == GgufValueType::FLOAT64;
        if (is_float) {
            std::ostringstream o;
            o << v.float_at(k);
            out += o.str();
        } else {
            out += std::to_string(v.int_at(k));
        }
    }
    return out + "]";
}

struct TypeTotals {
    std::map<std::string, uint64_t> count, bytes;
    uint64_t weight_bytes = 0;
};

TypeTotals totals(const GgufFile& g) {
    TypeTotals t;
    for (const auto& ti : g.tensors()) {
        std::string name = type_name(ti.type);
        t.count[name] += 1;
        t.bytes[name] += ti.n_bytes;
        t.weight_bytes += ti.n_bytes;
    }
    return t;
}

std::string dims_text(const GgufTensorInfo& t) {
    std::string s;
    for (uint32_t d = 0; d < t.n_dims; ++d) s += (d ? " x " : "") + std::to_string(t.dims[d]);
    return s;
}

void print_text(const Model& m, std::ostream& out) {
    const GgufFile& g = *m.gguf;
    out << "file:     " << m.path << '\n';
    if (m.sealed) {
        const SealHeader& h = m.sealed->header();
        out << "format:   sealed (Veil sealed format v" << h.version << ", GGUF v" << g.version() << " inside)\n"
            << "          " << (m.sealed->authenticated() ? "header and metadata authenticated with the given key"
                                                         : "NOT authenticated (no key given): metadata could be forged")
            << '\n'
            << "sealed:   " << h.n_chunks << " chunks of " << h.chunk_size << " bytes, " << m.sealed->file_size()
            << " bytes on disk\n"
            << "key id:   " << to_hex(h.key_id.data(), h.key_id.size()) << '\n'
            << "plain:    " << h.plaintext_size << " bytes, sha256 " << to_hex(h.plaintext_sha256.data(), kSha256Bytes)
            << '\n';
    } else {
        out << "format:   gguf (GGUF v" << g.version() << "), " << g.file_size() << " bytes\n";
    }
    out << "\nmetadata (" << g.metadata().size() << " keys):\n";
    for (const auto& kv : g.metadata()) out << "  " << kv.key << " = " << value_text(kv.value) << '\n';

    out << "\ntensors (" << g.tensors().size() << "):\n";
    size_t w = 4;
    for (const auto& t : g.tensors()) w = std::max(w, t.name.size());
    out << "  " << std::left << std::setw(static_cast<int>(w)) << "NAME" << "  " << std::setw(6) << "TYPE" << "  "
        << std::setw(22) << "DIMS" << std::right << std::setw(12) << "BYTES" << '\n';
    for (const auto& t : g.tensors())
        out << "  " << std::left << std::setw(static_cast<int>(w)) << t.name << "  " << std::setw(6) << type_name(t.type)
            << "  " << std::setw(22) << dims_text(t) << std::right << std::setw(12) << t.n_bytes << '\n';

    TypeTotals tt = totals(g);
    out << "\nsize by type:\n";
    for (const auto& [name, bytes] : tt.bytes)
        out << "  " << std::left << std::setw(6) << name << std::right << std::setw(6) << tt.count[name] << " tensors"
            << std::setw(14) << bytes << " bytes\n";
    out << "\ntotal weight bytes: " << tt.weight_bytes << " (" << std::fixed << std::setprecision(2)
        << static_cast<double>(tt.weight_bytes) / (1 << 20) << " MiB)\n";
}

Poco::Dynamic::Var scalar_json(const GgufValue& v) {
    switch (v.type) {
        case GgufValueType::STRING: return std::string(v.str);
        case GgufValueType::BOOL: return v.u != 0;
        case GgufValueType::FLOAT32:
        case GgufValueType::FLOAT64: return v.f;
        default: return v.is_signed_int() ? Poco::Dynamic::Var(static_cast<Poco::Int64>(v.i))
                                          : Poco::Dynamic::Var(static_cast<Poco::UInt64>(v.u));
    }
}

void print_json(const Model& m, std::ostream& out) {
    const GgufFile& g = *m.gguf;
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("path", m.path);
    o.set("format", m.sealed ? "sealed" : "gguf");
    o.set("gguf_version", g.version());
    if (m.sealed) {
        const SealHeader& h = m.sealed->header();
        Poco::JSON::Object s(Poco::JSON_PRESERVE_KEY_ORDER);
        s.set("version", h.version);
        s.set("authenticated", m.sealed->authenticated());
        s.set("chunk_size", h.chunk_size);
        s.set("n_chunks", static_cast<Poco::UInt64>(h.n_chunks));
        s.set("file_bytes", static_cast<Poco::UInt64>(m.sealed->file_size()));
        s.set("plaintext_bytes", static_cast<Poco::UInt64>(h.plaintext_size));
        s.set("plaintext_sha256", to_hex(h.plaintext_sha256.data(), kSha256Bytes));
        s.set("key_id", to_hex(h.key_id.data(), h.key_id.size()));
        o.set("sealed", s);
    } else {
        o.set("file_bytes", static_cast<Poco::UInt64>(g.file_size()));
    }
    Poco::JSON::Object meta(Poco::JSON_PRESERVE_KEY_ORDER), arrays(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& kv : g.metadata()) {
        if (!kv.value.is_array()) {
            meta.set(std::string(kv.key), scalar_json(kv.value));
            continue;
        }
        Poco::JSON::Object a(Poco::JSON_PRESERVE_KEY_ORDER);
        a.set("type", std::string(gguf_value_type_name(kv.value.elem_type)));
        a.set("length", static_cast<Poco::UInt64>(kv.value.count));
        arrays.set(std::string(kv.key), a);
    }
    o.set("metadata", meta);
    o.set("metadata_arrays", arrays);
    o.set("n_tensors", static_cast<Poco::UInt64>(g.tensors().size()));
    Poco::JSON::Array tensors;
    for (const auto& t : g.tensors()) {
        Poco::JSON::Object j(Poco::JSON_PRESERVE_KEY_ORDER);
        j.set("name", std::string(t.name));
        j.set("type", type_name(t.type));
        Poco::JSON::Array dims;
        for (uint32_t d = 0; d < t.n_dims; ++d) dims.add(static_cast<Poco::UInt64>(t.dims[d]));
        j.set("dims", dims);
        j.set("bytes", static_cast<Poco::UInt64>(t.n_bytes));
        j.set("offset", static_cast<Poco::UInt64>(t.offset));
        tensors.add(j);
    }
    o.set("tensors", tensors);
    TypeTotals tt = totals(g);
    Poco::JSON::Object by_count(Poco::JSON_PRESERVE_KEY_ORDER), by_bytes(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, n] : tt.count) by_count.set(name, static_cast<Poco::UInt64>(n));
    for (const auto& [name, n] : tt.bytes) by_bytes.set(name, static_cast<Poco::UInt64>(n));
    o.set("tensors_by_type", by_count);
    o.set("bytes_by_type", by_bytes);
    o.set("weight_bytes", static_cast<Poco::UInt64>(tt.weight_bytes));
    Poco::JSON::Stringifier::stringify(o, out, 2);
    out << '\n';
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("model inspect", "PATH [--key-file FILE | --key-env NAME] [--json]",
                   "Shows a model's metadata, tensor table and bytes by tensor type, for GGUF and sealed files. "
                   "Reads no weights. A sealed file's metadata is plaintext; with its key it is also authenticated.");
    add_key_options(cl);
    cl.flag("json", "", "print one JSON object");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 1, "PATH");
    Model m = open_model(cl.positional()[0], key_from_options(cl, false));
    if (cl.has("json"))
        print_json(m, std::cout);
    else
        print_text(m, std::cout);
    return 0;
}

}  // namespace

ModelSubcommand model_inspect_subcommand() {
    return {"inspect", "show metadata, tensors and sizes of a GGUF or sealed model", run};
}

}  // namespace veil::cli
