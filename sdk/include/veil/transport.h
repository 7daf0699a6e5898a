/*
 * Veil plugin SDK — transport vtable (kind VEIL_KIND_TRANSPORT).
 * Conventions (borrowed, host-allocated, OPTIONAL, error ownership) are defined in veil/plugin.h.
 */
#ifndef VEIL_TRANSPORT_H
#define VEIL_TRANSPORT_H

#include "veil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Transport vtable (kind VEIL_KIND_TRANSPORT)                                                    */
/* ---------------------------------------------------------------------------------------------- */

typedef struct veil_transport_vtable {
    size_t struct_size;

    /* NUL-terminated static list of URL schemes the plugin serves, e.g. {"vsock","unix",NULL}. */
    const char* const* schemes;

    /* Starts listening on `address` (borrowed URL such as "vsock://ANY:8080"). Stores a
     * plugin-owned listener handle in *out_listener, valid until close. Any thread. */
    veil_error* (*listen)(void* instance, const char* address, void** out_listener);

    /* Blocks until a connection arrives. On success *out_fd is a connected stream socket the host
     * now owns (and closes), and `peer` (caller-owned, peer_capacity bytes) receives a
     * NUL-terminated description of the peer. Returns VEIL_ERR_CLOSED once shutdown (or, for a 1.0
     * host, close) was called — also when that happened before this call.
     * One thread at a time per listener; shutdown may be called from another thread meanwhile. */
    veil_error* (*accept)(void* listener, int* out_fd, char* peer, size_t peer_capacity);

    /* Stops listening and releases the listener: the handle is invalid once close returns.
     * A host that has shutdown calls it first, waits until its accept returned, and calls close
     * only when no thread is in accept or will enter it. A 1.0 host (no shutdown) calls close from
     * another thread while accept may block: close must then wake accept and release the listener
     * only after accept returned, and a plugin cannot tell a close that lands just before accept
     * starts (the reason shutdown exists). Called once per listener. */
    void (*close)(void* listener);

    /* OPTIONAL (ABI 1.1). Wakes a blocked accept and makes every later accept on this listener
     * return VEIL_ERR_CLOSED; does not release the listener. Any thread, concurrently with accept,
     * any number of times, until close. Absent in 1.0 plugins: the host then closes as 1.0 did. */
    void (*shutdown)(void* listener);
} veil_transport_vtable;


#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VEIL_TRANSPORT_H */
