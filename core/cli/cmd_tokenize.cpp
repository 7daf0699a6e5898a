// veil tokenize --model PATH (--text TEXT | --file CASES.inp): token ids as llama.cpp's tokenizer
// tests write them (one line per case, " <id>" per token, no BOS), so that the output of --file
// can be compared byte for byte with the matching .out file.
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli/command.h"
#include "cli/options.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_test_format.h"
#include "util/regular_file.h"

namespace veil::cli {

namespace {

std::string read_file(const std::string& path) {
    util::require_regular_file(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw std::runtime_error(path + ": read failed");
    return ss.str();
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("tokenize", "--model PATH (--text TEXT | --file CASES.inp) [--parse-special]",
                   "Prints the token ids of TEXT, or of every case of a llama.cpp tokenizer test file (cases each "
                   "followed by a line __ggml_vocab_test__), one line per case, without BOS.");
    cl.option("model", "m", "PATH", "GGUF file with tokenizer metadata", true)
        .option("text", "t", "TEXT", "text to tokenize")
        .option("file", "f", "CASES.inp", "llama.cpp vocab test cases")
        .flag("parse-special", "", "recognise control tokens such as <s> written in the text");
    if (!cl.parse(args, std::cout)) return 0;
    if (cl.has("text") == cl.has("file")) throw UsageError("give exactly one of --text and --file");
    if (!cl.positional().empty()) throw UsageError("unexpected argument '" + cl.positional().front() + "'");

    std::vector<std::string> cases;
    if (cl.has("text"))
        cases.push_back(cl.get("text"));
    else
        cases = split_vocab_test_cases(read_file(cl.get("file")));

    auto file = GgufFile::open(cl.get("model"));
    auto tok = Tokenizer::from_gguf(*file);
    const bool special = cl.has("parse-special");
    std::string out;
    for (const auto& c : cases) out += format_token_line(tok->encode(c, false, special));
    std::cout << out << std::flush;
    return std::cout ? 0 : 1;
}

}  // namespace

Command tokenize_command() {
    return {"tokenize", "print the token ids of a text or of llama.cpp tokenizer test cases", run};
}

}  // namespace veil::cli
