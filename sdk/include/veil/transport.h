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
     * plugin-owned listener handle in *out_listener. */
    veil_error* (*listen)(void* instance, const char* address, void** out_listener);

    /* Blocks until a connection arrives. On success *out_fd is a connected stream socket the host
     * now owns (and closes), and `peer` (caller-owned, peer_capacity bytes) receives a
     * NUL-terminated description of the peer. Returns VEIL_ERR_CLOSED once close was called.
     * One thread at a time per listener; close may be called from another thread. */
    veil_error* (*accept)(void* listener, int* out_fd, char* peer, size_t peer_capacity);

    /* Stops listening, wakes a blocked accept, then releases the listener once accept returned. */
    void (*close)(void* listener);
} veil_transport_vtable;


#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VEIL_TRANSPORT_H */
