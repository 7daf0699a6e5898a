#include "stream_model.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <sstream>

#include "veil/backend_common/engine_errors.h"
#include "veil/engine/kernels.h"

namespace veil::backend_stream {
namespace {

using backend_common::translate_engine_errors;

constexpr uint32_t kMaxCtx = 1u << 24;

uint32_t checked_n_ctx(const engine::LlamaHParams& hp, uint32_t requested) {
    const uint32_t n = requested == 0 ? hp.n_ctx_train : requested;
    if (n == 0 || n > kMaxCtx)
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "n_ctx " + std::to_string(n) + " is out of range 1.." + std::to_string(kMaxCtx));
    return n;
}

size_t padded(size_t n) { return (n + 63) / 64 * 64; }

}  // namespace

StreamModel::StreamModel(const sdk::Host& host, const veil_model_source& source, const LoadOptions& options)
    : host_(host),
      source_(source),
      options_(options),
      hp_(translate_engine_errors([&] { return engine::read_llama_hparams(source); })),
      index_(translate_engine_errors([&] { return engine::index_llama_tensors(source, hp_); })),
      units_(plan_weight_units(source, index_)) {
    for (const WeightUnit& u : units_) slot_bytes_ = std::max(slot_bytes_, u.bytes);
    const std::string id = source.model_id ? source.model_id : "?";

    // What every configuration holds, whatever the budget: the working set of a pass, the
    // streaming window, and one session of the context the host asked for (default: the
    // training context, the session a 0 n_ctx opens).
    const veil_tensor_desc& embd = source.tensors[index_.tok_embd];
    const size_t embd_row = engine::row_bytes(static_cast<engine::GgmlType>(embd.type), static_cast<int64_t>(embd.dims[0]));
    int64_t max_piece_rows = 0;
    for (const WeightUnit& u : units_) max_piece_rows = std::max(max_piece_rows, u.row1 - u.row0);
    const uint64_t residual = static_cast<uint64_t>(kMaxPassRows) * hp_.n_embd * sizeof(float);
    const uint64_t activations = engine::LayerActivations::bytes_for(hp_, kMaxBlockRows) +
                                 engine::LayerActivations::matmul_scratch_bytes(hp_, kMaxBlockRows);
    const uint64_t head = static_cast<uint64_t>(kHeadRows) * static_cast<uint64_t>(max_piece_rows) * sizeof(float);
    working_set_bytes_ = residual + activations + head + padded(embd_row) + padded(hp_.n_embd * sizeof(float));
    const uint64_t window = kWindowSlots * static_cast<uint64_t>(slot_bytes_);
    const uint32_t session_ctx = checked_n_ctx(hp_, options.n_ctx.value_or(0));
    const uint64_t session = StreamSession::bytes_for(hp_, session_ctx, options.threads, kMaxPassRows);
    const uint64_t required = working_set_bytes_ + window + session;
    uint64_t all_units = 0;
    for (const WeightUnit& u : units_) all_units += u.bytes;

    // Without a budget (no EPC known to the policy), hold everything: every unit resident.
    const uint64_t limit = options.memory_budget ? *options.memory_budget : required + all_units;
    if (limit < required)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY,
                         "backend_stream cannot run '" + id + "' within a memory budget of " + bytes_str(limit) +
                             ": it needs at least " + bytes_str(required) + " = streaming window " +
                             std::to_string(kWindowSlots) + " x " + bytes_str(slot_bytes_) + " (largest layer) + KV cache of one " +
                             std::to_string(session_ctx) + "-position session " + bytes_str(session) +
                             " + activations and scratch " + bytes_str(working_set_bytes_));
    budget_ = std::make_unique<MemoryBudget>(limit);

    budget_->charge(working_set_bytes_, "the working set");
    budget_->charge(window, "the streaming window");
    pool_ = std::make_unique<engine::ThreadPool>(options.threads);
    serial_pool_ = std::make_unique<engine::ThreadPool>(1);
    x_.assign(static_cast<size_t>(kMaxPassRows) * hp_.n_embd, 0.0f);
    act_ = std::make_unique<engine::LayerActivations>(hp_, kMaxBlockRows);
    head_out_.assign(static_cast<size_t>(kHeadRows) * static_cast<size_t>(max_piece_rows), 0.0f);
    embd_row_ = std::make_unique<WeightBuffer>(padded(embd_row), io_);
    output_norm_ = std::make_unique<WeightBuffer>(padded(hp_.n_embd * sizeof(float)), io_);
    output_norm_->fill(source, Extent{index_.output_norm, 0, source.tensors[index_.output_norm].n_bytes, 0}, host_);

    resident_.resize(units_.size());
    pin_resident_units(session);
    prefetcher_ = std::make_unique<Prefetcher>(source, units_, kWindowSlots, slot_bytes_, io_, host_);
    prefetcher_->set_order(streamed_order());
}

StreamModel::~StreamModel() {
    prefetcher_.reset();  // stops the I/O thread before the buffers it fills go
    resident_.clear();
    engine::secure_zero(x_.data(), x_.size() * sizeof(float));
    engine::secure_zero(head_out_.data(), head_out_.size() * sizeof(float));
}

void StreamModel::pin_resident_units(uint64_t keep_free) {
    // Spread the resident units evenly over the pass (credit grows by the resident fraction of
    // each unit), so the I/O thread always has a streamed unit to read while resident ones compute.
    uint64_t total = 0;
    for (const WeightUnit& u : units_) total += u.bytes;
    const uint64_t avail = budget_->available();
    const double fraction = total == 0 || avail <= keep_free ? 0.0 : std::min(1.0, double(avail - keep_free) / double(total));
    auto pin = [&](size_t i) {
        if (budget_->available() < keep_free + units_[i].bytes) return false;
        budget_->charge(units_[i].bytes, "a resident layer");
        auto buf = std::make_unique<WeightBuffer>(units_[i].bytes, io_);
        buf->fill(source_, units_[i], host_);
        resident_[i] = std::move(buf);
        return true;
    };
    double credit = 0;
    for (size_t i = 0; i < units_.size(); ++i) {
        credit += fraction * static_cast<double>(units_[i].bytes);
        if (credit + 1.0 >= static_cast<double>(units_[i].bytes) && pin(i)) credit -= static_cast<double>(units_[i].bytes);
    }
    for (size_t i = 0; i < units_.size(); ++i)  // what rounding left over
        if (!resident_[i]) pin(i);
}

std::vector<size_t> StreamModel::streamed_order() const {
    std::vector<size_t> order;
    for (size_t i = 0; i < units_.size(); ++i)
        if (!resident_[i]) order.push_back(i);
    return order;
}

void StreamModel::evict_until_available(uint64_t bytes) {
    bool changed = false;
    for (size_t i = units_.size(); i-- > 0 && budget_->available() < bytes;) {
        if (!resident_[i]) continue;
        resident_[i].reset();  // zeroizes
        budget_->credit(units_[i].bytes);
        ++units_evicted_;
        changed = true;
    }
    if (changed) prefetcher_->set_order(streamed_order());
}

veil_model_info StreamModel::info() const {
    veil_model_info out{};
    out.struct_size = sizeof(out);
    out.n_vocab = hp_.n_vocab;
    out.n_ctx_train = hp_.n_ctx_train;
    out.n_embd = hp_.n_embd;
    out.n_layer = hp_.n_layer;
    out.weight_bytes = index_.total_bytes;
    return out;
}

std::unique_ptr<sdk::Session> StreamModel::create_session(uint32_t n_ctx) {
    const uint32_t n = checked_n_ctx(hp_, n_ctx);
    const uint64_t bytes = StreamSession::bytes_for(hp_, n, n_threads(), kMaxPassRows);
    std::lock_guard<std::mutex> lock(compute_mutex_);
    // Sessions come before resident layers: a resident layer only saves reading it again.
    evict_until_available(bytes);
    budget_->charge(bytes, "a session of " + std::to_string(n) + " positions (KV cache, RoPE and attention scratch)");
    try {
        auto s = std::make_unique<StreamSession>(*this, n, bytes);
        ++sessions_open_;
        return s;
    } catch (...) {
        budget_->credit(bytes);
        throw;
    }
}

void StreamModel::session_closed(uint64_t charged_bytes) {
    budget_->credit(charged_bytes);
    --sessions_open_;
}

void StreamModel::eval(StreamSession& session, const int32_t* tokens, size_t n_tokens, float* logits) {
    if (n_tokens > kMaxPassRows) return eval_alone(session, tokens, n_tokens, logits);
    // Evals arriving while a pass runs wait in a queue; the first waiter to find no pass running
    // leads the next one, for everything queued: concurrent sessions (e.g. a server's parallel
    // requests) share each read of the streamed layers, as decode_batch does.
    Waiting me{Request{&session, tokens, static_cast<uint32_t>(n_tokens), logits}, false, nullptr};
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&me);
    while (!me.done) {
        if (leading_) {
            queue_cv_.wait(lock);
            continue;
        }
        leading_ = true;
        std::vector<Waiting*> batch;
        uint32_t rows = 0;
        for (auto it = queue_.begin(); it != queue_.end() && rows + (*it)->req.n <= kMaxPassRows;) {
            rows += (*it)->req.n;
            batch.push_back(*it);
            it = queue_.erase(it);
        }
        lock.unlock();
        std::exception_ptr error;
        try {
            std::vector<Request> reqs;
            for (Waiting* w : batch) reqs.push_back(w->req);
            std::lock_guard<std::mutex> compute(compute_mutex_);
            run_pass(reqs);
            for (const Request& r : reqs) r.session->advance(r.n);
        } catch (...) {
            error = std::current_exception();  // no session advanced; what was written is overwritten later
        }
        lock.lock();
        for (Waiting* w : batch) {
            w->error = error;
            w->done = true;
        }
        leading_ = false;
        queue_cv_.notify_all();
    }
    if (me.error) std::rethrow_exception(me.error);
}

void StreamModel::eval_alone(StreamSession& session, const int32_t* tokens, size_t n_tokens, float* logits) {
    std::lock_guard<std::mutex> lock(compute_mutex_);
    const uint32_t start = session.position();
    try {
        for (size_t done = 0; done < n_tokens;) {
            const uint32_t n = static_cast<uint32_t>(std::min<size_t>(kMaxPassRows, n_tokens - done));
            const bool last = done + n == n_tokens;
            run_pass({Request{&session, tokens + done, n, last ? logits : nullptr}});
            session.advance(n);
            done += n;
        }
    } catch (...) {
        session.rewind(start);  // positions written so far are forgotten (and zeroed)
        throw;
    }
}

void StreamModel::decode_batch(sdk::Session* const* sessions, const int32_t* tokens, size_t n, float* logits) {
    if (n == 0) return;
    if (sessions == nullptr || tokens == nullptr || logits == nullptr)
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "decode_batch: sessions, tokens and logits must be given");
    std::vector<Request> all(n);
    for (size_t i = 0; i < n; ++i) {
        auto* s = dynamic_cast<StreamSession*>(sessions[i]);
        if (s == nullptr) throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "decode_batch: session " + std::to_string(i) + " is not a backend_stream session");
        for (size_t j = 0; j < i; ++j)
            if (all[j].session == s) throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "decode_batch: session " + std::to_string(i) + " is listed twice");
        s->check_tokens(tokens + i, 1);
        all[i] = Request{s, tokens + i, 1, logits + i * static_cast<size_t>(hp_.n_vocab)};
    }
    std::lock_guard<std::mutex> lock(compute_mutex_);
    for (size_t g = 0; g < n; g += kMaxPassRows) {
        std::vector<Request> group(all.begin() + static_cast<ptrdiff_t>(g),
                                   all.begin() + static_cast<ptrdiff_t>(std::min(n, g + kMaxPassRows)));
        run_pass(group);
        for (Request& r : group) r.session->advance(1);
    }
}

void StreamModel::embed(const std::vector<Request>& reqs) {
    // The embedding table is not a unit: only the rows of the tokens present are read.
    const engine::WeightMatrix one_row = engine::matrix_view(source_, index_.tok_embd, embd_row_->data(), 1);
    const int32_t first = 0;
    size_t row = 0;
    for (const Request& r : reqs)
        for (uint32_t t = 0; t < r.n; ++t, ++row) {
            const uint64_t offset = static_cast<uint64_t>(r.tokens[t]) * one_row.row_stride;
            embd_row_->fill(source_, Extent{index_.tok_embd, offset, one_row.row_stride, 0}, host_);
            engine::embed_tokens(one_row, &first, 1, hp_.n_embd, x_.data() + row * hp_.n_embd);
        }
    embd_row_->zeroize(embd_row_->bytes());
}

void StreamModel::run_pass(const std::vector<Request>& reqs) {
    ++passes_;
    if (reqs.size() > 1) ++shared_passes_;
    for (const Request& r : reqs) {
        rows_ += r.n;
        r.session->rope().prepare(r.session->position(), r.n);
    }
    embed(reqs);
    bool head_ready = false, promoted = false;
    for (size_t u = 0; u < units_.size(); ++u) {
        const WeightUnit& unit = units_[u];
        if (unit.kind == WeightUnit::Kind::HeadPiece && !head_ready) {
            // Final norm of each logits row, compacted to the front of x (row k <= its source row).
            uint32_t row = 0, k = 0;
            for (const Request& r : reqs) {
                row += r.n;
                if (r.logits != nullptr) {
                    engine::output_norm_rows(hp_, reinterpret_cast<const float*>(output_norm_->data()),
                                             x_.data() + static_cast<size_t>(row - 1) * hp_.n_embd, 1,
                                             x_.data() + static_cast<size_t>(k++) * hp_.n_embd);
                }
            }
            head_ready = true;
        }
        const bool streamed = !resident_[u];
        const uint8_t* buffer = nullptr;
        try {
            buffer = streamed ? prefetcher_->acquire(u) : resident_[u]->data();
            if (unit.kind == WeightUnit::Kind::Layer) run_block(unit, buffer, reqs);
            else run_head_piece(unit, buffer, reqs);
            if (streamed) promoted |= keep_resident_if_it_fits(u, buffer);
        } catch (...) {
            if (streamed && buffer != nullptr) prefetcher_->release(u);
            prefetcher_->set_order(streamed_order());  // restart the read-ahead at the first unit
            throw;
        }
        if (streamed) prefetcher_->release(u);
    }
    if (promoted) prefetcher_->set_order(streamed_order());
}

bool StreamModel::keep_resident_if_it_fits(size_t u, const uint8_t* buffer) {
    // Budget freed since load (a session closed, or sessions smaller than the training context
    // the load reserved for): keep the streamed unit rather than read it again next pass.
    if (!budget_->try_charge(units_[u].bytes)) return false;
    try {
        auto buf = std::make_unique<WeightBuffer>(units_[u].bytes, io_);
        buf->copy_from(buffer, units_[u].bytes);
        resident_[u] = std::move(buf);
    } catch (...) {
        budget_->credit(units_[u].bytes);
        throw;
    }
    ++units_promoted_;
    return true;
}

void StreamModel::run_block(const WeightUnit& unit, const uint8_t* buffer, const std::vector<Request>& reqs) {
    const engine::LlamaLayerWeights L = translate_engine_errors([&] { return layer_view(source_, index_, unit, buffer); });
    const engine::ComputePools pools{*pool_, *serial_pool_};
    uint32_t total = 0;
    for (const Request& r : reqs) total += r.n;
    std::vector<engine::SequenceRows> seqs;
    seqs.reserve(reqs.size());
    for (uint32_t b0 = 0; b0 < total; b0 += kMaxBlockRows) {
        const uint32_t b1 = std::min(total, b0 + kMaxBlockRows);
        seqs.clear();
        uint32_t off = 0;
        for (const Request& r : reqs) {
            const uint32_t lo = std::max(off, b0), hi = std::min(off + r.n, b1);
            if (lo < hi) {
                engine::SequenceRows s;
                s.cache = &r.session->cache();
                s.rope = &r.session->rope();
                s.attention = &r.session->attention();
                s.pos0 = r.session->position() + (lo - off);
                s.n = hi - lo;
                s.row0 = lo - b0;
                s.rope_t0 = lo - off;
                seqs.push_back(s);
            }
            off += r.n;
        }
        engine::run_llama_layer(pools, hp_, L, unit.layer, x_.data() + static_cast<size_t>(b0) * hp_.n_embd, seqs.data(),
                                seqs.size(), *act_);
    }
}

void StreamModel::run_head_piece(const WeightUnit& unit, const uint8_t* buffer, const std::vector<Request>& reqs) {
    std::vector<float*> outs;
    outs.reserve(reqs.size());
    for (const Request& r : reqs)
        if (r.logits != nullptr) outs.push_back(r.logits);
    if (outs.empty()) return;  // read to keep the window in order, not needed this pass
    const engine::WeightMatrix w = head_view(source_, unit, buffer);
    const engine::ComputePools pools{*pool_, *serial_pool_};
    const size_t rows = static_cast<size_t>(unit.row1 - unit.row0);
    for (size_t g0 = 0; g0 < outs.size(); g0 += kHeadRows) {
        const uint32_t ng = static_cast<uint32_t>(std::min<size_t>(kHeadRows, outs.size() - g0));
        engine::weight_matmul(pools, w, x_.data() + g0 * hp_.n_embd, ng, head_out_.data(), act_->mm);
        for (uint32_t j = 0; j < ng; ++j)
            std::memcpy(outs[g0 + j] + unit.row0, head_out_.data() + j * rows, rows * sizeof(float));
    }
}

std::string StreamModel::stats_json() const {
    std::lock_guard<std::mutex> lock(compute_mutex_);  // residency changes only under it
    Poco::JSON::Object o;
    Poco::JSON::Array resident_layers, streamed_layers;
    size_t head_pieces = 0, head_resident = 0;
    uint64_t resident_bytes = 0, streamed_bytes = 0, grouped_bytes = 0;
    for (size_t i = 0; i < units_.size(); ++i) {
        const bool res = resident_[i] != nullptr;
        (res ? resident_bytes : streamed_bytes) += units_[i].bytes;
        for (const Extent& e : units_[i].extents)
            if (e.layout == engine::RowLayout::Grouped16) grouped_bytes += e.bytes;
        if (units_[i].kind == WeightUnit::Kind::Layer) (res ? resident_layers : streamed_layers).add(units_[i].layer);
        else {
            ++head_pieces;
            head_resident += res;
        }
    }
    const PrefetchCounters pc = prefetcher_->counters();
    const uint64_t read_ns = io_.read_ns.load();
    const uint64_t bytes_read = io_.bytes_read.load();
    o.set("backend", std::string("backend_stream"));
    o.set("weight_bytes", static_cast<Poco::UInt64>(index_.total_bytes));
    o.set("budget", static_cast<Poco::UInt64>(budget_->limit()));
    o.set("held_bytes", static_cast<Poco::UInt64>(budget_->held()));
    o.set("peak_held_bytes", static_cast<Poco::UInt64>(budget_->peak()));
    o.set("working_set_bytes", static_cast<Poco::UInt64>(working_set_bytes_));
    o.set("window_slots", static_cast<Poco::UInt64>(kWindowSlots));
    o.set("window_slot_bytes", static_cast<Poco::UInt64>(slot_bytes_));
    o.set("resident_layers", resident_layers);
    o.set("streamed_layers", streamed_layers);
    o.set("head_pieces", static_cast<Poco::UInt64>(head_pieces));
    o.set("head_pieces_resident", static_cast<Poco::UInt64>(head_resident));
    o.set("resident_bytes", static_cast<Poco::UInt64>(resident_bytes));
    o.set("streamed_bytes_per_pass", static_cast<Poco::UInt64>(streamed_bytes));
    o.set("grouped_weight_bytes", static_cast<Poco::UInt64>(grouped_bytes));  // in 16-row groups (weight_units.h)
    o.set("units_evicted", static_cast<Poco::UInt64>(units_evicted_.load()));
    o.set("units_promoted", static_cast<Poco::UInt64>(units_promoted_.load()));
    o.set("bytes_read", static_cast<Poco::UInt64>(bytes_read));
    o.set("read_ns", static_cast<Poco::UInt64>(read_ns));  // summed over reading threads
    o.set("group_ns", static_cast<Poco::UInt64>(io_.group_ns.load()));  // likewise, regrouping what they read
    o.set("stall_ns", static_cast<Poco::UInt64>(pc.stall_ns));
    o.set("window_read_bytes_per_s",
          pc.read_ns == 0 ? 0.0 : static_cast<double>(pc.read_bytes) * 1e9 / static_cast<double>(pc.read_ns));
    o.set("units_streamed", static_cast<Poco::UInt64>(pc.units_acquired));
    o.set("units_ready_on_acquire", static_cast<Poco::UInt64>(pc.units_ready));
    o.set("prefetch_overlap", pc.units_acquired == 0 ? 1.0 : static_cast<double>(pc.units_ready) / static_cast<double>(pc.units_acquired));
    o.set("bytes_zeroized", static_cast<Poco::UInt64>(io_.bytes_zeroized.load()));
    o.set("passes", static_cast<Poco::UInt64>(passes_.load()));
    o.set("shared_passes", static_cast<Poco::UInt64>(shared_passes_.load()));
    o.set("rows", static_cast<Poco::UInt64>(rows_.load()));
    o.set("sessions", static_cast<Poco::UInt64>(sessions_open_.load()));
    o.set("threads", n_threads());
    o.set("isa", std::string(engine::isa_name(engine::best_kernels().isa)));
    std::ostringstream s;
    o.stringify(s);
    return s.str();
}

}  // namespace veil::backend_stream
