#include "tokenizer/vocab_test_format.h"

namespace veil {

std::vector<std::string> split_vocab_test_cases(std::string_view content) {
    // Each case is followed by "\n__ggml_vocab_test__\n"; a case may itself be empty or consist of
    // newlines, so split on the full separator, never on lines.
    static constexpr std::string_view kSep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> cases;
    size_t pos;
    while ((pos = content.find(kSep)) != std::string_view::npos) {
        cases.emplace_back(content.substr(0, pos));
        content.remove_prefix(pos + kSep.size());
    }
    return cases;
}

std::string format_token_line(const std::vector<int32_t>& ids) {
    std::string line;
    for (int32_t id : ids) {
        line += ' ';
        line += std::to_string(id);
    }
    line += '\n';
    return line;
}

}  // namespace veil
