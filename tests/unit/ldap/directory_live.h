/*
 * Helpers shared by the live directory tests (test_directory_live and
 * test_directory_live_ops): the fixture's names, a config for the slapd
 * of tests/slapd/slapd-start.sh taken from the environment, assertions
 * on authentication outcomes, and slapd control for restart tests.
 */
#ifndef ENTCA_TESTS_DIRECTORY_LIVE_H
#define ENTCA_TESTS_DIRECTORY_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/clock.h"
#include "ldap/directory.h"

#define SID_DOMAIN "S-1-5-21-3623811015-3361044348-30300820"
#define CDP_DN "cn=Demo Issuing CA,cn=ENTCA,cn=CDP,cn=Public Key Services," \
	"cn=Services,cn=Configuration,dc=demo,dc=example"
/*
 * Wide enough that a loaded machine (ASan, stress-ng, another suite) does
 * not time out a cold StartTLS pool: with 1 s, one of eight workers did.
 * The down and hung checks are bounded by these plus a second.
 */
#define NET_TIMEOUT_MS 3000
#define OP_TIMEOUT_MS 3000

/* Plain loopback directory without cache, made by live_setup(). */
extern struct directory *dplain;

#define NEED_SLAPD() do { if (dplain == NULL) skip(); } while (0)

/* Environment value or NULL. */
const char *env(const char *name);
/* A config for the fixture slapd (plain loopback, no cache, pool of 3). */
void base_config(struct directory_config *c);
/* directory_new or fail the test. */
struct directory *make_dir(const struct directory_config *cfg);
/*
 * base_config() into *c with URI list uris (NULL: SLAPD_URI), TLS mode
 * tls and CA file ca_file, then make_dir(c); *c stays for later changes.
 */
struct directory *make_dir_with(struct directory_config *c, const char *uris,
    enum directory_tls tls, const char *ca_file);
/* Look sam up by sAMAccountName in d, drop the result; returns the code. */
int lookup_code(struct directory *d, const char *sam, char *why,
    size_t whylen);
/* cmocka group setup/teardown: dplain from SLAPD_URI (absent: tests skip). */
int live_setup(void **state);
int live_teardown(void **state);
/* True if p has a group with this SID (and name, unless NULL). */
bool has_group(const struct principal *p, const char *sid, const char *name);
/* Authenticate, expecting CA_OK. */
void auth_ok(struct directory *d, const char *user, const char *pw,
    struct principal *p);
/* Authenticate, expecting the one refusal sentence and this log reason. */
void auth_refused(struct directory *d, const char *user, const char *pw,
    enum directory_auth_reason reason);
/* Look up by sAMAccountName in d, expecting success. */
void lookup_ok_in(struct directory *d, const char *sam, struct principal *p);
#define lookup_ok(sam, p) lookup_ok_in(dplain, (sam), (p))
/* A whole file, malloc'd. */
unsigned char *slurp(const char *path, size_t *len);
/* slapd control through slapd-start.sh / slapd-stop.sh. */
pid_t slapd_pid(void);
void slapd_restart(void);
void slapd_kill(void);
/* Wait (up to 2 s) until every thread of pid is stopped; false if not. */
bool slapd_wait_stopped(pid_t pid);

#endif
