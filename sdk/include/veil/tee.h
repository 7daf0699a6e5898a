/*
 * Veil plugin SDK — TEE attestation provider vtable (kind VEIL_KIND_TEE).
 * Conventions (borrowed, host-allocated, OPTIONAL, error ownership) are defined in veil/plugin.h.
 */
#ifndef VEIL_TEE_H
#define VEIL_TEE_H

#include "veil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* TEE provider vtable (kind VEIL_KIND_TEE)                                                       */
/* ---------------------------------------------------------------------------------------------- */

#define VEIL_REPORT_DATA_SIZE 64

/* All slots may be called from any thread, concurrently. */
typedef struct veil_tee_vtable {
    size_t struct_size;

    /* Protected memory available for models, in bytes ("EPC"). */
    veil_error* (*epc_bytes)(void* instance, uint64_t* out_bytes);

    /* Obtains evidence binding `report_data` (borrowed, exactly 64 bytes). On success
     * *out_evidence holds the evidence (host-allocated) and *out_format a host-allocated
     * NUL-terminated format id such as "sev-snp-report+certs/v1" (simulated evidence says
     * "simulated" in its format id). */
    veil_error* (*get_evidence)(void* instance, const uint8_t* report_data, veil_buffer* out_evidence,
                                char** out_format);

    /* Verifies evidence (borrowed) of `format` (borrowed). `expected_report_data` (borrowed, 64
     * bytes) may be NULL to skip the binding check. `policy_json` (borrowed JSON object) carries
     * the verifier's policy (allow_debug, allow_simulated, at, trust anchors, allowlists...). On
     * success *out_claims_json is a host-allocated JSON object of the verified claims; on failure
     * the error (VEIL_ERR_VERIFICATION) names the first failed check. */
    veil_error* (*verify)(void* instance, const uint8_t* evidence, size_t evidence_size,
                          const char* format, const uint8_t* expected_report_data,
                          const char* policy_json, char** out_claims_json);
} veil_tee_vtable;


#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VEIL_TEE_H */
