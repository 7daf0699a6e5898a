#include "tokenizer/spm_tokenizer.h"

#include <cstdio>
#include <queue>
#include <string>
#include <unordered_map>

#include "tokenizer/utf8.h"

namespace veil {

namespace {

struct Symbol {
    int prev, next;
    size_t start, len;  // bytes of the text
};

struct Bigram {
    int left, right;
    float score;
    size_t len;
};

// Highest score first; on ties the leftmost pair.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

class SpmSession {
public:
    SpmSession(const Vocab& v, std::string_view text) : vocab_(v), text_(text) {}

    void run(std::vector<int32_t>& out) {
        for (size_t off = 0; off < text_.size();) {
            size_t n = std::min(utf8::seq_len(static_cast<uint8_t>(text_[off])), text_.size() - off);
            int idx = static_cast<int>(symbols_.size());
            symbols_.push_back({idx - 1, off + n == text_.size() ? -1 : idx + 1, off, n});
            off += n;
        }
        for (int k = 1; k < static_cast<int>(symbols_.size()); ++k) try_add(k - 1, k);
        while (!queue_.empty()) {
            Bigram b = queue_.top();
            queue_.pop();
            Symbol& l = symbols_[b.left];
            Symbol& r = symbols_[b.right];
            // Stale: one side was merged away or grew since this pair was queued.
            if (l.len == 0 || r.len == 0 || l.len + r.len != b.len) continue;
            l.len += r.len;
            r.len = 0;
            l.next = r.next;
            if (r.next >= 0) symbols_[r.next].prev = b.left;
            try_add(l.prev, b.left);
            try_add(b.left, l.next);
        }
        if (symbols_.empty()) return;
        for (int k = 0; k != -1; k = symbols_[k].next) resegment(symbols_[k], out);
    }

private:
    std::string_view piece(size_t start, size_t len) const { return text_.substr(start, len); }

    void try_add(int left, int right) {
        if (left < 0 || right < 0) return;
        std::string_view s = piece(symbols_[left].start, symbols_[left].len + symbols_[right].len);
        int32_t id = vocab_.find(s);
        if (id < 0) return;
        queue_.push({left, right, vocab_.score[id], s.size()});
        rev_merge_[std::string(s)] = {left, right};
    }

    // Emits a symbol: its token if the vocabulary has it, else the two symbols it was merged from,
    // else its bytes.
    void resegment(const Symbol& s, std::vector<int32_t>& out) {
        std::string_view p = piece(s.start, s.len);
        int32_t id = vocab_.find(p);
        if (id >= 0) {
            out.push_back(id);
            return;
        }
        auto it = rev_merge_.find(std::string(p));
        if (it == rev_merge_.end()) {
            for (char c : p) {
                int32_t b = spm_byte_token(vocab_, static_cast<uint8_t>(c));
                if (b >= 0) out.push_back(b);
            }
            return;
        }
        resegment(symbols_[it->second.first], out);
        resegment(symbols_[it->second.second], out);
    }

    const Vocab& vocab_;
    std::string_view text_;
    std::vector<Symbol> symbols_;
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
    std::unordered_map<std::string, std::pair<int, int>> rev_merge_;
};

}  // namespace

int32_t spm_byte_token(const Vocab& vocab, uint8_t b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    int32_t id = vocab.find(buf);
    if (id >= 0) return id;
    id = vocab.find(std::string_view(reinterpret_cast<const char*>(&b), 1));
    return id >= 0 ? id : vocab.unk;
}

void spm_tokenize(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) {
    SpmSession(vocab, text).run(out);
}

}  // namespace veil
