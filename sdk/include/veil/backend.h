/*
 * Veil plugin SDK — model source and backend vtable (kind VEIL_KIND_BACKEND).
 * Conventions (borrowed, host-allocated, OPTIONAL, error ownership) are defined in veil/plugin.h.
 */
#ifndef VEIL_BACKEND_H
#define VEIL_BACKEND_H

#include "veil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Model source: how the host hands a model's tensors to a backend                                */
/* ---------------------------------------------------------------------------------------------- */

/* Tensor element types: the GGUF/ggml type ids, so a backend can share kernels with GGUF files. */
typedef enum veil_tensor_type {
    VEIL_TYPE_F32 = 0,
    VEIL_TYPE_F16 = 1,
    VEIL_TYPE_Q4_0 = 2,
    VEIL_TYPE_Q4_1 = 3,
    VEIL_TYPE_Q5_0 = 6,
    VEIL_TYPE_Q5_1 = 7,
    VEIL_TYPE_Q8_0 = 8,
    VEIL_TYPE_Q8_1 = 9,
    VEIL_TYPE_Q2_K = 10,
    VEIL_TYPE_Q3_K = 11,
    VEIL_TYPE_Q4_K = 12,
    VEIL_TYPE_Q5_K = 13,
    VEIL_TYPE_Q6_K = 14,
    VEIL_TYPE_Q8_K = 15,
    VEIL_TYPE_BF16 = 30
} veil_tensor_type;

#define VEIL_MAX_DIMS 4

/* One entry of the model's tensor table. */
typedef struct veil_tensor_desc {
    const char* name;             /* e.g. "blk.0.attn_q.weight"                                 */
    uint32_t type;                /* a veil_tensor_type                                         */
    uint32_t n_dims;              /* 1..VEIL_MAX_DIMS                                           */
    uint64_t dims[VEIL_MAX_DIMS]; /* dims[0] is the contiguous (row) length; unused dims are 1  */
    uint64_t n_bytes;             /* exact byte size of the tensor's data                       */
    uint64_t offset;              /* position in the model's data stream (for I/O ordering)     */
} veil_tensor_desc;

/* Kinds of metadata value (GGUF's value types folded into what a backend needs). */
typedef enum veil_meta_kind {
    VEIL_META_NONE = 0,   /* key absent */
    VEIL_META_UINT = 1,   /* .u  */
    VEIL_META_INT = 2,    /* .i  */
    VEIL_META_FLOAT = 3,  /* .f  */
    VEIL_META_BOOL = 4,   /* .u (0 or 1) */
    VEIL_META_STRING = 5, /* .str, .str_len (not NUL-terminated within the file; .str is)      */
    VEIL_META_ARRAY = 6   /* .array_len elements of kind .array_elem_kind; elements not exposed */
} veil_meta_kind;

typedef struct veil_meta_value {
    uint32_t kind;            /* a veil_meta_kind */
    uint32_t array_elem_kind; /* for VEIL_META_ARRAY */
    uint64_t u;
    int64_t i;
    double f;
    const char* str;          /* borrowed; valid as long as the model source */
    size_t str_len;
    uint64_t array_len;
} veil_meta_value;

/* Hints for veil_model_source.read. */
#define VEIL_READ_NOCACHE (1u << 0) /* bypass/drop the page cache (O_DIRECT or fadvise) when possible */

/*
 * A model as the host presents it: metadata, tensor table and reads. The host creates it (from a
 * GGUF file, or a sealed model it decrypts on read) and keeps it and everything it points to valid
 * until the backend's unload for the model that was loaded from it has returned.
 * All slots may be called from any thread, concurrently.
 */
typedef struct veil_model_source {
    size_t struct_size;
    void* ctx;                        /* opaque; first argument of every slot                    */
    const char* model_id;             /* e.g. "stories260K"; for messages                        */
    size_t n_tensors;
    const veil_tensor_desc* tensors;  /* n_tensors entries, borrowed for the source's lifetime   */

    /* Looks up metadata `key` (borrowed). Fills *out; out->kind == VEIL_META_NONE when absent. */
    void (*meta_get)(void* ctx, const char* key, veil_meta_value* out);

    /* Copies `size` bytes of tensor `tensor_index`'s data, starting `offset` bytes into it, to
     * `dst` (borrowed, caller-owned). Refuses reads outside the tensor. `flags`: VEIL_READ_*. */
    veil_error* (*read)(void* ctx, size_t tensor_index, uint64_t offset, void* dst, size_t size,
                        uint32_t flags);

    /* OPTIONAL (may be NULL, or return NULL): a read-only pointer to the tensor's data in a
     * mapping the host owns, valid for the source's lifetime. Only plain files offer it; sealed
     * models never do. Backends that must own their memory copy from it or use read. */
    const void* (*map)(void* ctx, size_t tensor_index);
} veil_model_source;

/* ---------------------------------------------------------------------------------------------- */
/* Backend vtable (kind VEIL_KIND_BACKEND)                                                        */
/* ---------------------------------------------------------------------------------------------- */

/* Shape of a loaded model, as a backend reports it. */
typedef struct veil_model_info {
    size_t struct_size;
    uint32_t n_vocab;       /* logits per token                                    */
    uint32_t n_ctx_train;   /* context length the model was trained for            */
    uint32_t n_embd;
    uint32_t n_layer;
    uint64_t weight_bytes;  /* bytes of weights the backend reads per forward pass */
} veil_model_info;

/*
 * Threading: load/unload/model_info/stats may be called from any thread, never concurrently for
 * the same model. Different sessions may be evaluated concurrently from different threads; one
 * session is only ever used by one thread at a time.
 */
typedef struct veil_backend_vtable {
    size_t struct_size;

    /* Loads a model. `source` stays valid until unload(model) returns; `options_json` (JSON
     * object: e.g. {"threads":2,"memory_budget":N,"n_ctx":4096,"mlock":false}; "n_ctx" is the
     * context of the sessions the host means to open; a backend ignores keys it does not use) is
     * borrowed. Stores an opaque model handle (backend-owned) in *out_model. */
    veil_error* (*load)(void* instance, const veil_model_source* source, const char* options_json,
                        void** out_model);

    /* Releases a model after all its sessions were destroyed. Zeroizes plaintext weights. */
    void (*unload)(void* model);

    /* Fills *out (caller-owned; out->struct_size set by the caller, backend writes at most that). */
    veil_error* (*model_info)(void* model, veil_model_info* out);

    /* Creates an inference session (its own KV cache) for up to `n_ctx` positions (0 = the
     * model's training context). Stores a backend-owned handle in *out_session. */
    veil_error* (*session_create)(void* model, uint32_t n_ctx, void** out_session);

    /* Releases a session and zeroizes its KV cache. */
    void (*session_destroy)(void* session);

    /* Feeds `n_tokens` tokens (borrowed) at the session's current position (prefill when > 1) and
     * advances it. When `logits` (caller-owned, n_vocab floats) is non-NULL, writes the logits that
     * follow the last token. Fails without changing the position when the context would overflow. */
    veil_error* (*eval)(void* session, const int32_t* tokens, size_t n_tokens, float* logits);

    /* Number of positions the session holds. */
    uint32_t (*session_position)(void* session);

    /* Forgets positions >= n_past (n_past <= position), e.g. to reuse a shared prompt prefix. */
    veil_error* (*session_rewind)(void* session, uint32_t n_past);

    /* OPTIONAL: one decode step for several sessions of the same model at once — one pass over the
     * weights. `sessions` and `tokens` (n each) are borrowed; `logits` is caller-owned,
     * n * n_vocab floats, row i for sessions[i]. Sessions must be distinct. */
    veil_error* (*decode_batch)(void* model, void* const* sessions, const int32_t* tokens, size_t n,
                                float* logits);

    /* OPTIONAL: counters as a JSON object (host-allocated NUL-terminated UTF-8 in *out_json), e.g.
     * {"bytes_read":..,"resident_layers":[..],"stall_ns":..}. */
    veil_error* (*stats)(void* model, char** out_json);
} veil_backend_vtable;


#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VEIL_BACKEND_H */
