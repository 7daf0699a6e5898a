/*
 * Veil plugin SDK — C ABI, version 1.1 (1.1 appended veil_transport_vtable.shutdown).
 *
 * The one contract between the Veil host process and every plugin (inference backends, TEE
 * attestation providers, transports). Pure C so that plugins may be built with any compiler or
 * standard library; no allocator, exception or C++ type crosses this boundary.
 *
 * A plugin is a shared object exporting exactly one symbol:
 *
 *     const veil_plugin_info* veil_plugin_query(void);
 *
 * Compatibility rules (see sdk/README.md): a minor bump only appends — struct fields, vtable slots,
 * enum values, capability bits. Anything else bumps the major version. Every struct that may grow
 * starts with `struct_size`; readers consult a field only when it lies within struct_size.
 *
 * Conventions used in every comment below:
 *   - "borrowed": the callee may read the pointer only during the call; the caller keeps ownership.
 *   - "host-allocated": allocated with veil_host_api.alloc; ownership passes to the receiver, who
 *     releases it with veil_host_api.free.
 *   - Functions returning `veil_error*` return NULL on success. A non-NULL error was created with
 *     veil_host_api.error_new and is owned by the host from the moment it is returned.
 *   - "OPTIONAL" slots may be NULL; the host checks before calling. Every other slot is required
 *     and the host refuses a plugin that leaves it NULL.
 */
#ifndef VEIL_PLUGIN_H
#define VEIL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Versioning                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

/* "VEILPLG1" as a little-endian 64-bit integer. Never changes. */
#define VEIL_PLUGIN_MAGIC 0x31474C504C494556ULL

#define VEIL_ABI_MAJOR 1
#define VEIL_ABI_MINOR 1

/* Name of the single exported entry point. */
#define VEIL_PLUGIN_QUERY_SYMBOL "veil_plugin_query"

/* ---------------------------------------------------------------------------------------------- */
/* Errors, logging, memory: the host API handed to every plugin                                   */
/* ---------------------------------------------------------------------------------------------- */

/* Opaque error object. Only the host creates (error_new) and destroys it. */
typedef struct veil_error veil_error;

typedef enum veil_error_code {
    VEIL_ERR_GENERIC = 1,
    VEIL_ERR_INVALID_ARGUMENT = 2, /* the caller passed something malformed (config, request)   */
    VEIL_ERR_NOT_FOUND = 3,        /* a named thing (file, device, tensor, key) does not exist   */
    VEIL_ERR_UNSUPPORTED = 4,      /* valid, but this plugin or machine cannot do it             */
    VEIL_ERR_IO = 5,               /* a read/write/socket call failed                            */
    VEIL_ERR_OUT_OF_MEMORY = 6,    /* an allocation or memory budget was exceeded                */
    VEIL_ERR_VERIFICATION = 7,     /* evidence, signature, hash or chain check failed            */
    VEIL_ERR_CLOSED = 8,           /* the object was closed (e.g. a listener during accept)      */
    VEIL_ERR_CANCELLED = 9,        /* the operation was cancelled by the caller                  */
    VEIL_ERR_INTERNAL = 10         /* a bug, or an exception caught at the ABI boundary          */
} veil_error_code;

typedef enum veil_log_level {
    VEIL_LOG_TRACE = 0,
    VEIL_LOG_DEBUG = 1,
    VEIL_LOG_INFO = 2,
    VEIL_LOG_WARN = 3,
    VEIL_LOG_ERROR = 4
} veil_log_level;

/*
 * Services the host offers a plugin. The host creates one instance per loaded plugin and keeps it
 * valid, unchanged, until after the plugin's last function returns (plugins are never unloaded
 * while a thread may run inside them). Every slot may be called from any thread, concurrently.
 *
 * A plugin built against a newer SDK minor must check that a slot exists before calling it:
 * VEIL_HOST_HAS(host, slot) — offset within struct_size and non-NULL.
 */
typedef struct veil_host_api {
    size_t struct_size;   /* sizeof(veil_host_api) as the host was built                   */
    uint32_t abi_major;   /* the host's ABI version                                         */
    uint32_t abi_minor;
    void* host_ctx;       /* opaque; pass back as the first argument of every slot below   */

    /* Writes one log record attributed to this plugin. `message` is borrowed, UTF-8, no
     * trailing newline needed. Never fails; records below the host's level are dropped. */
    void (*log)(void* host_ctx, veil_log_level level, const char* message);

    /* Creates an error object. `message` is borrowed and copied; it should name what is wrong and
     * where ("tensor 'blk.3.attn_q.weight': type 99 is unknown"). Never returns NULL, even when
     * memory is exhausted (a static out-of-memory error is returned then). */
    veil_error* (*error_new)(void* host_ctx, veil_error_code code, const char* message);

    /* Releases an error from error_new that the plugin decided not to return (e.g. it recovered).
     * Errors that are returned to the host must not be freed by the plugin. NULL is ignored. */
    void (*error_free)(void* host_ctx, veil_error* error);

    /* Allocates `size` bytes aligned to `alignment` (a power of two, or 0 for the default of 64).
     * Returns NULL on failure. Memory from here is what "host-allocated" means in this file. */
    void* (*alloc)(void* host_ctx, size_t size, size_t alignment);

    /* Releases memory from `alloc`. NULL is ignored. */
    void (*free)(void* host_ctx, void* ptr);
} veil_host_api;

/* True when `api` (a veil_host_api*) provides `slot` and it is set. */
#define VEIL_HOST_HAS(api, slot)                                                                   \
    ((api) != NULL &&                                                                              \
     (api)->struct_size >= offsetof(veil_host_api, slot) + sizeof((api)->slot) && (api)->slot != NULL)

/* A byte buffer whose `data` is host-allocated; the receiver frees it with host->free. */
typedef struct veil_buffer {
    uint8_t* data;
    size_t size;
} veil_buffer;

/* ---------------------------------------------------------------------------------------------- */
/* Plugin description                                                                             */
/* ---------------------------------------------------------------------------------------------- */

typedef enum veil_plugin_kind {
    VEIL_KIND_BACKEND = 1,   /* vtable: veil_backend_vtable   (veil/backend.h)   */
    VEIL_KIND_TEE = 2,       /* vtable: veil_tee_vtable       (veil/tee.h)       */
    VEIL_KIND_TRANSPORT = 3  /* vtable: veil_transport_vtable (veil/transport.h) */
} veil_plugin_kind;

/* Capability bits (veil_plugin_info.capabilities). Bits are only ever appended. */
#define VEIL_CAP_BACKEND_FULL_RESIDENT (1ULL << 0)  /* keeps every weight in memory                 */
#define VEIL_CAP_BACKEND_STREAMING (1ULL << 1)      /* runs under a hard memory budget              */
#define VEIL_CAP_BACKEND_BATCHED_DECODE (1ULL << 2) /* implements decode_batch                      */
#define VEIL_CAP_TEE_EVIDENCE (1ULL << 16)          /* can produce hardware evidence here           */
#define VEIL_CAP_TEE_VERIFY (1ULL << 17)            /* can verify evidence of its format            */
#define VEIL_CAP_TEE_SIMULATE (1ULL << 18)          /* offers a clearly labelled simulation mode    */
#define VEIL_CAP_TRANSPORT_VSOCK (1ULL << 32)       /* listens on AF_VSOCK                          */
#define VEIL_CAP_TRANSPORT_UNIX (1ULL << 33)        /* listens on AF_UNIX paths                     */

/*
 * What veil_plugin_query returns: a pointer to static, immutable data that lives as long as the
 * shared object is loaded. The host copies min(struct_size, sizeof(veil_plugin_info)) bytes and
 * ignores trailing fields it does not know.
 */
typedef struct veil_plugin_info {
    uint64_t magic;        /* VEIL_PLUGIN_MAGIC                                                   */
    size_t struct_size;    /* sizeof(veil_plugin_info) as the plugin was built                    */
    uint32_t abi_major;    /* VEIL_ABI_MAJOR the plugin was built against (must equal the host's) */
    uint32_t abi_minor;    /* VEIL_ABI_MINOR the plugin was built against                         */
    uint32_t kind;         /* a veil_plugin_kind                                                  */
    uint32_t reserved0;    /* zero                                                                */
    uint64_t capabilities; /* VEIL_CAP_* bits                                                     */
    const char* name;      /* static, e.g. "backend_full"; [a-z0-9_]+                             */
    const char* version;   /* static, the plugin's own semantic version, e.g. "1.2.0"             */

    /*
     * Says whether the plugin can work on this machine with this configuration, without creating
     * anything. Returns 0 for "unusable here" — then sets *out_reason (host-created error, owned by
     * the host) to say why — or a positive score, higher = preferred among plugins of one kind.
     * A reason coded VEIL_ERR_INVALID_ARGUMENT says the configuration itself is wrong: the host
     * then refuses the plugin (and `veil serve` will not start), where any other code only says
     * that this machine cannot run it.
     * `host` is valid for the life of the load; `config_json` (UTF-8 JSON object, never NULL) is
     * borrowed. Called once, from the loading thread, before create.
     */
    uint32_t (*probe)(const veil_host_api* host, const char* config_json, veil_error** out_reason);

    /*
     * Creates the plugin instance. `host` stays valid until after destroy returns; `config_json`
     * is borrowed. On success stores an opaque instance pointer in *out_instance (owned by the
     * plugin, released by destroy). Called from the loading thread.
     */
    veil_error* (*create)(const veil_host_api* host, const char* config_json, void** out_instance);

    /* Releases an instance from create. Called once, after every other call on it has returned
     * and every object created from it (models, sessions, listeners) has been released. */
    void (*destroy)(void* instance);

    /* The kind's vtable: static, starts with its own size_t struct_size. Never NULL. */
    const void* vtable;
} veil_plugin_info;

/* The one symbol every plugin exports. Must be callable before anything else, from any thread,
 * any number of times, returning the same pointer. */
typedef const veil_plugin_info* (*veil_plugin_query_fn)(void);

/* ---------------------------------------------------------------------------------------------- */
/* Export                                                                                         */
/* ---------------------------------------------------------------------------------------------- */

#if defined(_WIN32)
#define VEIL_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VEIL_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Declaration of the entry point each plugin defines. */
VEIL_PLUGIN_EXPORT const veil_plugin_info* veil_plugin_query(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VEIL_PLUGIN_H */

