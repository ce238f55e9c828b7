/*
 * Fixtures for the policy and issue tests (test_policy_util.h): principals
 * of the test domain, templates, CA settings and GnuTLS-made CSRs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "tests/unit/policy/test_policy_util.h"

#define SID(rid) TP_DOMAIN_SID "-" #rid

/* Add a group by RID (or a full SID) with its DN and name. */
static void
group(struct principal *p, const char *sid, const char *cn)
{
	char dn[PRINCIPAL_DN_MAX];

	if (strncmp(sid, TP_DOMAIN_SID, strlen(TP_DOMAIN_SID)) == 0)
		snprintf(dn, sizeof(dn), "CN=%s,CN=Users," TP_BASE, cn);
	else
		dn[0] = '\0';
	assert_int_equal(principal_add_group(p, sid, dn, cn), CA_OK);
}

/* A user or computer with the usual well-known groups. */
static void
base(struct principal *p, enum principal_kind kind, const char *sid,
    const char *sam, const char *cn)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	snprintf(p->sid, sizeof(p->sid), "%s", sid);
	snprintf(p->sam, sizeof(p->sam), "%s", sam);
	/* The NetBIOS name of the test domain, as ldap/ reads it. */
	snprintf(p->domain, sizeof(p->domain), "ENTCA");
	if (kind == PRINCIPAL_COMPUTER) {
		char host[64];
		snprintf(host, sizeof(host), "%.*s", (int)strlen(sam) - 1, sam);
		for (char *c = host; *c; c++)
			*c = (char)(*c | 0x20);
		snprintf(p->dns, sizeof(p->dns), "%s." TP_REALM, host);
		snprintf(p->dn, sizeof(p->dn), "CN=%s,CN=Computers," TP_BASE,
		    cn);
		p->uac = PRINCIPAL_UAC_WORKSTATION_TRUST;
		group(p, SID(515), "Domain Computers");
	} else {
		snprintf(p->upn, sizeof(p->upn), "%s@" TP_REALM, sam);
		snprintf(p->mail, sizeof(p->mail), "%s@" TP_REALM, sam);
		snprintf(p->dn, sizeof(p->dn), "CN=%s,CN=Users," TP_BASE, cn);
		p->uac = PRINCIPAL_UAC_NORMAL_ACCOUNT;
		group(p, SID(513), "Domain Users");
	}
	snprintf(p->guid, sizeof(p->guid),
	    "3c4723fd-2548-4966-b26d-67bf2e5495%s", sid + strlen(sid) - 2);
	group(p, "S-1-1-0", "Everyone");
	group(p, "S-1-5-11", "Authenticated Users");
}

/* The test directory's entries, with their transitive groups. */
void
tp_principal(enum tp_who who, struct principal *p)
{
	switch (who) {
	case TP_CONNECTOR:
		base(p, PRINCIPAL_COMPUTER, SID(1105), "INTUNECONN$",
		    "INTUNECONN");
		break;
	case TP_ALICE:
		base(p, PRINCIPAL_USER, SID(1106), "alice", "Alice Smith");
		group(p, SID(1201), "Staff");
		break;
	case TP_BOB:
		base(p, PRINCIPAL_USER, SID(1107), "bob", "Bob Jones");
		break;
	case TP_PKIADMIN:
		base(p, PRINCIPAL_USER, SID(1108), "pkiadmin", "PKI Admin");
		group(p, SID(1202), "PKI Officers");
		break;
	case TP_CAROL:
		base(p, PRINCIPAL_USER, SID(1109), "carol", "Carol Disabled");
		p->uac |= PRINCIPAL_UAC_ACCOUNTDISABLE;
		break;
	case TP_DAVE:
		base(p, PRINCIPAL_USER, SID(1110), "dave", "Dave Blocked");
		group(p, SID(1203), "Blocked Users");
		break;
	case TP_ERIN:
		/* Team A is a member of Cert Users: the list is transitive. */
		base(p, PRINCIPAL_USER, SID(1111), "erin", "Erin Nested");
		group(p, SID(1204), "Team A");
		group(p, SID(1205), "Cert Users");
		break;
	case TP_WS01:
		base(p, PRINCIPAL_COMPUTER, SID(1112), "WS01$", "WS01");
		break;
	default:
		fail();
	}
}

/* One ACE. */
static void
ace(struct template *t, bool deny, const char *who, uint32_t rights)
{
	struct tmpl_ace *a = &t->aces[t->n_aces++];

	a->deny = deny;
	snprintf(a->principal, sizeof(a->principal), "%s", who);
	a->rights = rights;
}

/* One application policy / EKU. */
static void
eku(struct template *t, const char *oid)
{
	snprintf(t->policies[t->n_policies++], TMPL_OID_MAX, "%s", oid);
}

#define RE (TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL)
#define OID_BASE "1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176"

/* Templates as the walkthrough and the AD CS defaults describe them. */
void
tp_template(enum tp_tmpl which, struct template *t)
{
	/*
	 * A template file's defaults (1 year, 6 weeks, RSA 2048, SHA-256, ...)
	 * at 2008 R2 and minor version 4; each template below states its
	 * subject, subject format and names, so none comes from the defaults.
	 */
	template_defaults(t);
	t->minor_version = 4;
	t->compat_ca = TMPL_COMPAT_2008R2;
	t->compat_recipient = TMPL_COMPAT_2008R2;
	t->subject_format = TMPL_SUBJFMT_NONE;
	t->san = 0;
	switch (which) {
	case TP_T_PKCS:
		snprintf(t->name, sizeof(t->name), "PKCSIntune");
		snprintf(t->display_name, sizeof(t->name), "PKCS Intune");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.101");
		t->allow_private_key_export = true;
		t->server_key_generation = true;
		t->subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST;
		eku(t, "1.3.6.1.4.1.311.10.3.4");
		eku(t, "1.3.6.1.5.5.7.3.4");
		eku(t, "1.3.6.1.5.5.7.3.2");
		t->san = TMPL_SAN_SID_URL;
		ace(t, false, "INTUNECONN$", RE);
		ace(t, false, "pkiadmin", RE);
		break;
	case TP_T_USER:
		snprintf(t->name, sizeof(t->name), "User");
		snprintf(t->display_name, sizeof(t->name), "User");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.1");
		t->schema_version = 1;
		t->major_version = 3;
		t->minor_version = 1;
		t->compat_ca = TMPL_COMPAT_2003;
		t->compat_recipient = TMPL_COMPAT_2003;
		t->subject = TMPL_SUBJECT_FROM_DIRECTORY;
		t->subject_format = TMPL_SUBJFMT_DN;
		t->san = TMPL_SAN_UPN | TMPL_SAN_EMAIL;
		eku(t, "1.3.6.1.4.1.311.10.3.4");
		eku(t, "1.3.6.1.5.5.7.3.4");
		eku(t, "1.3.6.1.5.5.7.3.2");
		ace(t, false, TP_DOMAIN_SID "-513", RE);
		ace(t, false, "Staff", RE);
		ace(t, true, "CN=Blocked Users,CN=Users," TP_BASE,
		    TMPL_RIGHT_ENROLL);
		break;
	case TP_T_MACHINE:
		snprintf(t->name, sizeof(t->name), "Machine");
		snprintf(t->display_name, sizeof(t->name), "Computer");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.14");
		t->key_algorithms = TMPL_KEY_RSA | TMPL_KEY_ECDSA_P256;
		t->subject = TMPL_SUBJECT_FROM_DIRECTORY;
		t->subject_format = TMPL_SUBJFMT_DNS;
		t->san = TMPL_SAN_DNS;
		eku(t, "1.3.6.1.5.5.7.3.2");
		eku(t, "1.3.6.1.5.5.7.3.1");
		ace(t, false, "Domain Computers", RE);
		break;
	case TP_T_WEBSERVER:
		snprintf(t->name, sizeof(t->name), "WebServer");
		snprintf(t->display_name, sizeof(t->name), "Web Server");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.16");
		t->validity_seconds = 2 * 365 * 86400;
		t->schema_version = 1;	/* as AD CS ships it: the ESC15 target */
		t->key_algorithms = TMPL_KEY_RSA | TMPL_KEY_ECDSA_P256;
		t->subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST;
		t->sid_extension = false;
		eku(t, "1.3.6.1.5.5.7.3.1");
		ace(t, false, "Cert Users", RE);
		ace(t, false, TP_REALM "\\pkiadmin", RE);
		ace(t, false, "INTUNECONN$", RE);
		break;
	case TP_T_APPROVAL:
		snprintf(t->name, sizeof(t->name), "ApprovalUser");
		snprintf(t->display_name, sizeof(t->name), "Approval User");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.102");
		t->subject = TMPL_SUBJECT_FROM_DIRECTORY;
		t->subject_format = TMPL_SUBJFMT_CN_USERNAME;
		t->san = TMPL_SAN_UPN;
		t->require_approval = true;
		eku(t, "1.3.6.1.5.5.7.3.2");
		ace(t, false, "Domain Users", RE);
		break;
	case TP_T_NOTISSUED:
		snprintf(t->name, sizeof(t->name), "NotIssued");
		snprintf(t->oid, sizeof(t->oid), OID_BASE ".1.103");
		t->subject = TMPL_SUBJECT_FROM_DIRECTORY;
		t->subject_format = TMPL_SUBJFMT_CN_USERNAME;
		eku(t, "1.3.6.1.5.5.7.3.2");
		ace(t, false, "Domain Users", RE);
		break;
	default:
		fail();
	}
}

/* CA: everyone authenticated may request; the connector is an officer. */
const struct tmpl_ace tp_ca_aces[] = {
	{ false, "S-1-5-11", CA_RIGHT_READ | CA_RIGHT_REQUEST },
	{ false, "ENTCA\\INTUNECONN$", CA_RIGHT_REQUEST | CA_RIGHT_OFFICER },
	{ false, "PKI Officers", CA_RIGHT_OFFICER | CA_RIGHT_ADMIN },
	{ true, TP_DOMAIN_SID "-1203", CA_RIGHT_OFFICER },
};
const size_t tp_n_ca_aces = sizeof(tp_ca_aces) / sizeof(tp_ca_aces[0]);

const char *const tp_issue_templates[] = {
	"PKCSIntune", "User", "Machine", "webserver", "ApprovalUser"
};
const size_t tp_n_issue =
    sizeof(tp_issue_templates) / sizeof(tp_issue_templates[0]);

static gnutls_x509_privkey_t keys[TP_KEY_COUNT];

/* Generate each kind of key once per process. */
gnutls_x509_privkey_t
tp_key(enum tp_key k)
{
	static const struct { gnutls_pk_algorithm_t alg; unsigned bits; }
	    kinds[TP_KEY_COUNT] = {
		{ GNUTLS_PK_RSA, 1024 }, { GNUTLS_PK_RSA, 2048 },
		{ GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) },
		{ GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1) },
	};

	if (keys[k] == NULL) {
		assert_int_equal(gnutls_x509_privkey_init(&keys[k]), 0);
		assert_int_equal(gnutls_x509_privkey_generate(keys[k],
		    kinds[k].alg, kinds[k].bits, 0), 0);
	}
	return keys[k];
}

/* SID extension value as AD CS writes it (KB5014754). */
static size_t
sid_ext(const char *sid, unsigned char *out)
{
	static const unsigned char oid[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01,
	    0x04, 0x01, 0x82, 0x37, 0x19, 0x02, 0x01 };
	size_t n = strlen(sid), o = 0;

	out[o++] = 0x30;
	out[o++] = (unsigned char)(n + 18);
	out[o++] = 0xa0;
	out[o++] = (unsigned char)(n + 16);
	memcpy(out + o, oid, sizeof(oid));
	o += sizeof(oid);
	out[o++] = 0xa0;
	out[o++] = (unsigned char)(n + 2);
	out[o++] = 0x04;
	out[o++] = (unsigned char)n;
	memcpy(out + o, sid, n);
	return o + n;
}

/* A CSR signed by the key, with the asked-for names and extensions. */
void
tp_csr_make(enum tp_key k, const struct tp_csr *c, unsigned char **der,
    size_t *len)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t out;
	unsigned char buf[512];
	size_t n;

	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	assert_int_equal(gnutls_x509_crq_set_version(crq, 1), 0);
	if (c->subject != NULL && gnutls_x509_crq_set_dn(crq, c->subject,
	    NULL) != 0)
		fail_msg("gnutls_x509_crq_set_dn(%s)", c->subject);
	for (size_t i = 0; i < 8 && c->rdn[i][0] != NULL; i++)
		if (gnutls_x509_crq_set_dn_by_oid(crq, c->rdn[i][0], 0,
		    c->rdn[i][1], (unsigned)strlen(c->rdn[i][1])) != 0)
			fail_msg("gnutls_x509_crq_set_dn_by_oid(%s)",
			    c->rdn[i][1]);
	assert_int_equal(gnutls_x509_crq_set_key(crq, tp_key(k)), 0);
	if (c->upn != NULL) {
		n = strlen(c->upn);
		buf[0] = 0x0c;
		buf[1] = (unsigned char)n;
		memcpy(buf + 2, c->upn, n);
		assert_int_equal(gnutls_x509_crq_set_subject_alt_othername(crq,
		    "1.3.6.1.4.1.311.20.2.3", buf, (unsigned)n + 2,
		    GNUTLS_FSAN_APPEND), 0);
	}
	if (c->email != NULL)
		assert_int_equal(gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_RFC822NAME, c->email, strlen(c->email),
		    GNUTLS_FSAN_APPEND), 0);
	if (c->dns != NULL)
		assert_int_equal(gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_DNSNAME, c->dns, strlen(c->dns),
		    GNUTLS_FSAN_APPEND), 0);
	if (c->uri != NULL)
		assert_int_equal(gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_URI, c->uri, strlen(c->uri),
		    GNUTLS_FSAN_APPEND), 0);
	if (c->sid_ext != NULL && !c->sid_attr) {
		n = sid_ext(c->sid_ext, buf);
		assert_int_equal(gnutls_x509_crq_set_extension_by_oid(crq,
		    "1.3.6.1.4.1.311.25.2", buf, n, 0), 0);
	}
	if (c->sid_ext != NULL && c->sid_attr) {
		n = sid_ext(c->sid_ext, buf);
		assert_int_equal(gnutls_x509_crq_set_attribute_by_oid(crq,
		    "1.3.6.1.4.1.311.25.2", buf, n), 0);
	}
	if (c->ext_oid != NULL)
		assert_int_equal(gnutls_x509_crq_set_extension_by_oid(crq,
		    c->ext_oid, c->ext_der, c->ext_len, 0), 0);
	if (c->eku != NULL)
		assert_int_equal(gnutls_x509_crq_set_key_purpose_oid(crq,
		    c->eku, 0), 0);
	if (c->challenge != NULL)
		assert_int_equal(gnutls_x509_crq_set_challenge_password(crq,
		    c->challenge), 0);
	assert_int_equal(gnutls_x509_crq_sign2(crq, tp_key(k),
	    GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER,
	    &out), 0);
	gnutls_x509_crq_deinit(crq);
	*der = malloc(out.size);
	assert_non_null(*der);
	memcpy(*der, out.data, out.size);
	*len = out.size;
	gnutls_free(out.data);
	if (c->tamper)
		(*der)[*len - 5] ^= 0x01;	/* inside the signature bits */
}

/* Drop the cached keys. */
void
tp_cleanup(void)
{
	for (int k = 0; k < TP_KEY_COUNT; k++) {
		if (keys[k] != NULL)
			gnutls_x509_privkey_deinit(keys[k]);
		keys[k] = NULL;
	}
}
