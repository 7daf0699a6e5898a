#include "tokenizer/bpe_tokenizer.h"

#include <queue>
#include <string>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/utf8.h"

namespace veil {

namespace {

struct Symbol {
    int prev, next;
    size_t start, len;
};

struct Bigram {
    int left, right;
    int rank;
    std::string text;  // left+right when queued: detects pairs made stale by other merges
};

// Lowest rank first; on ties the leftmost pair.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const { return a.rank > b.rank || (a.rank == b.rank && a.left > b.left); }
};

void tokenize_word(const Vocab& vocab, const std::string& word, std::vector<int32_t>& out) {
    std::vector<Symbol> symbols;
    if (vocab.ignore_merges) {
        int32_t id = vocab.find(word);
        if (id >= 0) {
            out.push_back(id);
            return;
        }
    }
    for (size_t off = 0; off < word.size();) {
        size_t n = std::min(utf8::seq_len(static_cast<uint8_t>(word[off])), word.size() - off);
        int idx = static_cast<int>(symbols.size());
        symbols.push_back({idx - 1, off + n == word.size() ? -1 : idx + 1, off, n});
        off += n;
    }
    auto text_of = [&](const Symbol& s) { return std::string_view(word).substr(s.start, s.len); };
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    auto add = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        int rank = vocab.find_merge(text_of(symbols[l]), text_of(symbols[r]));
        if (rank < 0) return;
        std::string t(text_of(symbols[l]));
        t += text_of(symbols[r]);
        queue.push({l, r, rank, std::move(t)});
    };
    for (int k = 1; k < static_cast<int>(symbols.size()); ++k) add(k - 1, k);
    while (!queue.empty()) {
        Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[b.left];
        Symbol& r = symbols[b.right];
        if (l.len == 0 || r.len == 0) continue;
        if (l.len + r.len != b.text.size() || std::string_view(word).substr(l.start, l.len + r.len) != b.text) continue;
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[r.next].prev = b.left;
        add(l.prev, b.left);
        add(b.left, l.next);
    }
    for (const auto& s : symbols) {
        if (s.len == 0) continue;
        std::string_view piece = text_of(s);
        int32_t id = vocab.find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        // Not in the vocabulary (only with incomplete vocabularies): llama.cpp emits the tokens of
        // the individual bytes that exist and drops the rest.
        for (char c : piece) {
            int32_t b = vocab.find(std::string_view(&c, 1));
            if (b >= 0) out.push_back(b);
        }
    }
}

}  // namespace

void bpe_tokenize(const Vocab& vocab, const PreTokenizerSplitter& splitter, std::string_view text, std::vector<int32_t>& out) {
    for (const auto& word : splitter.split(text)) tokenize_word(vocab, bytes_to_unicode_text(word), out);
}

}  // namespace veil
