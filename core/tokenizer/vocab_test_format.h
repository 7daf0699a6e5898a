// llama.cpp's tokenizer test-vector format (tests/*.gguf.inp / .out), shared by `veil tokenize`
// and the tests: an .inp holds cases, each followed by a line "__ggml_vocab_test__"; an .out holds
// one line per case with " <id>" for every token (no BOS).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace veil {

// The cases of an .inp file's content. Text after the last separator (normally none) is ignored,
// as llama.cpp's test does.
std::vector<std::string> split_vocab_test_cases(std::string_view content);

// One .out line including its '\n': " 15043 3186\n"; an empty case gives "\n".
std::string format_token_line(const std::vector<int32_t>& ids);

}  // namespace veil
