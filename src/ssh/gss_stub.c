/* SPDX-License-Identifier: Apache-2.0 */
/* Debian's libssh.a is built with GSSAPI, but Debian ships no static krb5/gssapi. leura never
 * offers gssapi-with-mic (SSH_OPTIONS_GSSAPI_AUTH is off), so the static build links these
 * failing stand-ins instead. Linked only into the static build. */
typedef unsigned int OM_uint32;
#define LEURA_GSS_S_FAILURE (13u << 16)

void* GSS_C_NT_HOSTBASED_SERVICE = 0;
void* GSS_C_NT_USER_NAME = 0;

#define LEURA_GSS_STUB(name)                                                                       \
    OM_uint32 name(OM_uint32* minor, ...);                                                        \
    OM_uint32 name(OM_uint32* minor, ...) {                                                       \
        if (minor) *minor = 0;                                                                     \
        return LEURA_GSS_S_FAILURE;                                                                \
    }

LEURA_GSS_STUB(gss_accept_sec_context)
LEURA_GSS_STUB(gss_acquire_cred)
LEURA_GSS_STUB(gss_add_oid_set_member)
LEURA_GSS_STUB(gss_create_empty_oid_set)
LEURA_GSS_STUB(gss_display_name)
LEURA_GSS_STUB(gss_display_status)
LEURA_GSS_STUB(gss_get_mic)
LEURA_GSS_STUB(gss_import_name)
LEURA_GSS_STUB(gss_indicate_mechs)
LEURA_GSS_STUB(gss_init_sec_context)
LEURA_GSS_STUB(gss_inquire_cred)
LEURA_GSS_STUB(gss_inquire_cred_by_mech)
LEURA_GSS_STUB(gss_release_buffer)
LEURA_GSS_STUB(gss_release_cred)
LEURA_GSS_STUB(gss_release_name)
LEURA_GSS_STUB(gss_release_oid_set)
LEURA_GSS_STUB(gss_test_oid_set_member)
LEURA_GSS_STUB(gss_verify_mic)
