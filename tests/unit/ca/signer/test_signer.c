/*
 * Tests of ca/signer/signer.c with real keys and a real child process: issuing
 * certificates through the external key (RSA, P-256, P-384) checked by
 * GnuTLS and openssl, concurrent signing, a killed or stopped child, the
 * privilege drop, and start-up refusals (wrong password, missing key,
 * mismatched certificate, no CA).
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/signer/signer.h"
#include "tests/unit/ca/signer/test_signer_issue.h"
#include "tests/unit/test_tmpdir.h"

/* Signatures per thread in the concurrency test. */
#define THREAD_SIGNS 50
#define THREADS 4


/* Make a CA of type t in t_group_dir/name; password encrypts its key file. */
static void
make_ca(const char *name, enum ca_key_type t, const char *pwfile,
    const char *pw, char *dir, size_t len)
{
	struct ca_init_opts o;
	char why[CA_WHY_MAX] = "";

	snprintf(dir, len, "%s/%s", t_group_dir, name);
	memset(&o, 0, sizeof(o));
	o.state_dir = dir;
	o.subject = "CN=Signer Test CA,O=entca";
	o.key_type = t;
	o.days = 30;
	o.no_tls = 1;
	o.key_password = pw;
	o.key_password_file = pwfile;
	if (ca_identity_init(&o, why, sizeof(why)) != CA_OK)
		fail_msg("init %s: %s", name, why);
}

/* Make a CA without a password in t_group_dir/name and start its signer. */
static struct signer *
start_ca(const char *name, enum ca_key_type t, char *dir, size_t len)
{
	struct signer *s = NULL;
	char why[CA_WHY_MAX] = "";

	make_ca(name, t, NULL, NULL, dir, len);
	if (signer_start(dir, NULL, &s, why, sizeof(why)) != CA_OK)
		fail_msg("start %s: %s", name, why);
	return s;
}

/* Monotonic milliseconds. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Issue a leaf through the signer and check it with GnuTLS and openssl. */
static void
issue_and_verify(const char *dir, struct signer *s)
{
	struct ca_identity *id = NULL;
	gnutls_privkey_t key = NULL;
	gnutls_x509_crt_t leaf = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	char why[CA_WHY_MAX], path[256], cmd[700];
	unsigned status = 1;
	FILE *f;

	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)), CA_OK);
	assert_int_equal(signer_privkey(s, &key, why, sizeof(why)), CA_OK);
	if (test_issue_leaf(id->cert, key, "leaf", &leaf, &pem) < 0)
		fail_msg("issue: %s", signer_last_why());
	assert_int_equal(gnutls_x509_crt_verify(leaf, &id->cert, 1, 0,
	    &status), 0);
	assert_int_equal(status, 0);
	snprintf(path, sizeof(path), "%s/leaf.pem", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(pem.data, 1, pem.size, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "openssl verify -CAfile %s/ca.crt %s "
	    ">/dev/null", dir, path);
	assert_int_equal(system(cmd), 0);
	gnutls_free(pem.data);
	gnutls_x509_crt_deinit(leaf);
	gnutls_privkey_deinit(key);
	ca_identity_free(id);
}

/* Sign data with the external key and verify it with the CA public key. */
static int
sign_verify(struct signer *s, gnutls_privkey_t key, const char *dir,
    gnutls_sign_algorithm_t algo)
{
	struct ca_identity *id = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t data = { (unsigned char *)"to be signed", 12 };
	gnutls_datum_t sig = { NULL, 0 };
	char why[CA_WHY_MAX];
	int ret;

	(void)s;
	ret = gnutls_privkey_sign_data2(key, algo, 0, &data, &sig);
	if (ret < 0)
		return ret;
	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)), CA_OK);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, id->cert, 0), 0);
	ret = gnutls_pubkey_verify_data2(pub, algo, 0, &data, &sig);
	gnutls_pubkey_deinit(pub);
	gnutls_free(sig.data);
	ca_identity_free(id);
	return ret;
}

/* Certificates from each key type, checked by GnuTLS and openssl. */
static void
test_key_types(void **state)
{
	static const struct {
		const char *name;
		enum ca_key_type type;
		int pk_algo;
		unsigned bits;
	} types[] = {
		{ "rsa", CA_KEY_RSA2048, GNUTLS_PK_RSA, 2048 },
		{ "p256", CA_KEY_P256, GNUTLS_PK_ECDSA, 256 },
		{ "p384", CA_KEY_P384, GNUTLS_PK_ECDSA, 384 },
	};
	struct signer *s;
	struct signer_status st;
	char dir[128];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		s = start_ca(types[i].name, types[i].type, dir, sizeof(dir));
		signer_get_status(s, &st);
		assert_int_equal(st.info.pk_algo, types[i].pk_algo);
		assert_int_equal(st.info.bits, types[i].bits);
		assert_int_equal(st.info.no_new_privs, 1);
		issue_and_verify(dir, s);
		signer_stop(s);
	}
}

/* RSA raw signatures: PKCS#1 v1.5 and PSS. */
static void
test_rsa(void **state)
{
	struct signer *s = NULL;
	gnutls_privkey_t key = NULL;
	char dir[128], why[CA_WHY_MAX] = "";

	(void)state;
	s = start_ca("rsa-raw", CA_KEY_RSA2048, dir, sizeof(dir));
	assert_int_equal(signer_privkey(s, &key, why, sizeof(why)), CA_OK);
	assert_int_equal(sign_verify(s, key, dir, GNUTLS_SIGN_RSA_SHA256), 0);
	assert_int_equal(sign_verify(s, key, dir, GNUTLS_SIGN_RSA_SHA384), 0);
	assert_int_equal(sign_verify(s, key, dir, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256),
	    0);
	gnutls_privkey_deinit(key);
	signer_stop(s);
}

/* One signing worker and what it counted. */
struct thread_arg {
	struct signer *s;
	const char *dir;
	bool pace;		/* pause 2 ms between signatures */
	int ok, failed;		/* stay 0 when it got no key */
};

/*
 * One worker: its own external key, THREAD_SIGNS signatures, each counted
 * as verified or failed (cleanly: every call returns).
 */
static void *
signer_thread(void *p)
{
	struct thread_arg *a = p;
	gnutls_privkey_t key = NULL;
	char why[CA_WHY_MAX];

	if (signer_privkey(a->s, &key, why, sizeof(why)) != CA_OK)
		return NULL;
	for (int i = 0; i < THREAD_SIGNS; i++) {
		if (sign_verify(a->s, key, a->dir,
		    GNUTLS_SIGN_ECDSA_SHA256) == 0)
			a->ok++;
		else
			a->failed++;
		if (a->pace)
			usleep(2000);
	}
	gnutls_privkey_deinit(key);
	return NULL;
}

/* Start THREADS workers signing through s. */
static void
threads_start(struct thread_arg *args, pthread_t *th, struct signer *s,
    const char *dir, bool pace)
{
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct thread_arg){ s, dir, pace, 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, signer_thread,
		    &args[i]), 0);
	}
}

/* Wait for the workers; add up their counts. */
static void
threads_join(struct thread_arg *args, pthread_t *th, int *ok, int *failed)
{
	*ok = *failed = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		*ok += args[i].ok;
		*failed += args[i].failed;
	}
}

/*
 * The daemon's SIGCHLD path after a SIGKILL: restart the child, and the
 * death notice it logs names the signal.
 */
static void
restart_after_kill(struct signer *s)
{
	char why[CA_WHY_MAX] = "", death[CA_WHY_MAX];

	assert_int_equal(signer_check_restart(s, why, sizeof(why)), CA_OK);
	assert_true(signer_take_death(s, death, sizeof(death)));
	assert_non_null(strstr(death, "killed by signal SIGKILL"));
}

/* Several threads sign at once; every signature verifies. */
static void
test_threads(void **state)
{
	struct thread_arg args[THREADS];
	pthread_t th[THREADS];
	struct signer *s = NULL;
	char dir[128];
	int ok, failed;
	long t0;

	(void)state;
	s = start_ca("threads", CA_KEY_P256, dir, sizeof(dir));
	t0 = now_ms();
	threads_start(args, th, s, dir, false);
	threads_join(args, th, &ok, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(ok, THREADS * THREAD_SIGNS);
	printf("# %d P-256 signatures from %d threads in %ld ms\n",
	    THREADS * THREAD_SIGNS, THREADS, now_ms() - t0);
	signer_stop(s);
}

/*
 * signer_lanes_sign_and_restart: three children with the same key; calls
 * from several threads all verify; a killed lane is reported down, named
 * in the death notice and restarted by signer_check_restart while the
 * others keep their children; signer_stop ends every child.
 */
static void
test_lanes(void **state)
{
	struct thread_arg args[THREADS];
	pthread_t th[THREADS];
	struct signer *s = NULL;
	struct signer_status st, st2;
	char dir[128], why[CA_WHY_MAX] = "";
	int ok, failed;

	(void)state;
	s = start_ca("lanes", CA_KEY_P256, dir, sizeof(dir));
	assert_int_equal(signer_add_lanes(s, SIGNER_LANES_MAX + 1, why,
	    sizeof(why)), CA_EINVAL);
	assert_int_equal(signer_add_lanes(s, 3, why, sizeof(why)), CA_OK);
	signer_get_status(s, &st);
	assert_int_equal(st.lanes, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(st.lane_pid[i] > 0);
		for (int k = 0; k < i; k++)
			assert_int_not_equal(st.lane_pid[i], st.lane_pid[k]);
	}
	assert_true(signer_up(s));
	threads_start(args, th, s, dir, false);
	threads_join(args, th, &ok, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(ok, THREADS * THREAD_SIGNS);
	/* Kill lane 2's child and wait for it to be a zombie (no sleep). */
	assert_int_equal(kill(st.lane_pid[2], SIGKILL), 0);
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		assert_int_equal(waitid(P_PID, st.lane_pid[2], &si,
		    WEXITED | WNOWAIT), 0);
	}
	assert_false(signer_up(s));
	restart_after_kill(s);
	signer_get_status(s, &st2);
	assert_int_equal(st2.lanes, 3);
	assert_int_equal(st2.lane_pid[0], st.lane_pid[0]);
	assert_int_equal(st2.lane_pid[1], st.lane_pid[1]);
	assert_true(st2.lane_pid[2] > 0 && st2.lane_pid[2] != st.lane_pid[2]);
	assert_int_equal(st2.restarts, 1);
	assert_true(signer_up(s));
	args[0] = (struct thread_arg){ s, dir, false, 0, 0 };
	signer_thread(&args[0]);
	assert_int_equal(args[0].failed, 0);
	assert_int_equal(args[0].ok, THREAD_SIGNS);
	signer_stop(s);
	for (int i = 0; i < 3; i++)
		assert_int_equal(kill(st2.lane_pid[i], 0), -1);
}

/* A started P-256 signer, an external key on it, and its child's status. */
struct rig {
	struct signer *s;
	gnutls_privkey_t key;
	struct signer_status st;
	char dir[128];
};

/* Make CA `name`, start its signer, take a key and read the status. */
static void
rig_start(struct rig *r, const char *name)
{
	char why[CA_WHY_MAX] = "";

	r->s = start_ca(name, CA_KEY_P256, r->dir, sizeof(r->dir));
	r->key = NULL;
	assert_int_equal(signer_privkey(r->s, &r->key, why, sizeof(why)),
	    CA_OK);
	signer_get_status(r->s, &r->st);
}

/* One ECDSA signature through the rig, verified: 0 or a GnuTLS error. */
static int
rig_sign(struct rig *r)
{
	return sign_verify(r->s, r->key, r->dir, GNUTLS_SIGN_ECDSA_SHA256);
}

/* Restart the child as the daemon does on SIGCHLD; signing works again. */
static void
rig_recover(struct rig *r)
{
	char why[CA_WHY_MAX] = "";

	assert_int_equal(signer_check_restart(r->s, why, sizeof(why)), CA_OK);
	assert_int_equal(rig_sign(r), 0);
}

/* Drop the key and stop the signer. */
static void
rig_stop(struct rig *r)
{
	gnutls_privkey_deinit(r->key);
	signer_stop(r->s);
}

/* A killed child fails the next call promptly, then restarts. */
static void
test_kill_restart(void **state)
{
	struct rig r;
	struct signer_status st2;
	char why[CA_WHY_MAX] = "";
	long t0;

	(void)state;
	rig_start(&r, "kill");
	assert_int_equal(rig_sign(&r), 0);
	assert_int_equal(kill(r.st.pid, SIGKILL), 0);
	usleep(50000);
	t0 = now_ms();
	assert_true(rig_sign(&r) < 0);
	assert_true(now_ms() - t0 < 1000);
	assert_non_null(strstr(signer_last_why(), "signer"));
	printf("# after SIGKILL: \"%s\" in %ld ms\n", signer_last_why(),
	    now_ms() - t0);
	signer_get_status(r.s, &st2);
	assert_int_equal(st2.pid, 0);
	/* The daemon's SIGCHLD path, and the cause it logs, once. */
	restart_after_kill(r.s);
	assert_false(signer_take_death(r.s, why, sizeof(why)));
	signer_get_status(r.s, &st2);
	assert_true(st2.pid > 0 && st2.pid != r.st.pid);
	assert_int_equal(st2.restarts, 1);
	assert_int_equal(rig_sign(&r), 0);
	/* Automatic restart on a later call, rate-limited. */
	assert_int_equal(kill(st2.pid, SIGKILL), 0);
	usleep(50000);
	assert_true(rig_sign(&r) < 0);
	assert_true(rig_sign(&r) < 0);
	assert_non_null(strstr(signer_last_why(), "at most once"));
	usleep((SIGNER_RESTART_MIN_MS + 100) * 1000);
	assert_int_equal(rig_sign(&r), 0);
	signer_get_status(r.s, &st2);
	assert_int_equal(st2.restarts, 2);
	rig_stop(&r);
}

/* A stopped (hung) child times out instead of hanging the caller. */
static void
test_stuck_child(void **state)
{
	struct rig r;
	long t0, dt;

	(void)state;
	rig_start(&r, "stuck");
	assert_int_equal(kill(r.st.pid, SIGSTOP), 0);
	t0 = now_ms();
	assert_true(rig_sign(&r) < 0);
	dt = now_ms() - t0;
	assert_true(dt >= SIGNER_TIMEOUT_MS - 100 && dt < SIGNER_TIMEOUT_MS + 2000);
	assert_non_null(strstr(signer_last_why(), "no answer"));
	rig_recover(&r);
	rig_stop(&r);
}

/* Kill the child a little after the caller's request went out. */
static void *
killer_thread(void *p)
{
	pid_t pid = *(pid_t *)p;

	usleep(300000);
	kill(pid, SIGKILL);
	return NULL;
}

/* A child that dies with a request in flight fails that call at once. */
static void
test_die_in_flight(void **state)
{
	struct rig r;
	pthread_t th;
	long t0, dt;

	(void)state;
	rig_start(&r, "inflight");
	/* Stopped, the child holds the request unanswered until it dies. */
	assert_int_equal(kill(r.st.pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&th, NULL, killer_thread, &r.st.pid),
	    0);
	t0 = now_ms();
	assert_true(rig_sign(&r) < 0);
	dt = now_ms() - t0;
	pthread_join(th, NULL);
	assert_true(dt >= 250 && dt < 2000);
	assert_non_null(strstr(signer_last_why(), "died"));
	printf("# in-flight death: \"%s\" after %ld ms\n", signer_last_why(),
	    dt);
	rig_recover(&r);
	rig_stop(&r);
}

/* Killing the child under concurrent load: calls fail cleanly, none hang. */
static void
test_kill_under_load(void **state)
{
	struct thread_arg args[THREADS];
	pthread_t th[THREADS];
	struct signer *s = NULL;
	struct signer_status st;
	char dir[128];
	int ok, failed;
	long t0;

	(void)state;
	s = start_ca("storm", CA_KEY_P256, dir, sizeof(dir));
	t0 = now_ms();
	threads_start(args, th, s, dir, true);
	usleep(30000);
	signer_get_status(s, &st);
	kill(st.pid, SIGKILL);
	threads_join(args, th, &ok, &failed);
	printf("# kill under load: %d signed, %d failed cleanly, %ld ms\n", ok,
	    failed, now_ms() - t0);
	assert_int_equal(ok + failed, THREADS * THREAD_SIGNS);
	assert_true(failed >= 1);
	assert_true(now_ms() - t0 < SIGNER_TIMEOUT_MS);	/* nobody waited out */
	signer_get_status(s, &st);
	assert_true(st.restarts >= 1);	/* a later call restarted it */
	signer_stop(s);
}

/* Read one "Name:\tvalue" line of /proc/PID/status. */
static void
proc_field(pid_t pid, const char *name, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0 &&
		    line[strlen(name)] == ':') {
			snprintf(out, len, "%s", line + strlen(name) + 1);
			break;
		}
	fclose(f);
}

/* As root, the child runs as nobody with no-new-privs and four fds. */
static void
test_drop_privileges(void **state)
{
	struct signer *s = NULL;
	struct signer_status st;
	char dir[128], why[CA_WHY_MAX] = "", buf[256], path[64];
	struct dirent *e;
	int nfd = 0;
	DIR *d;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_ca("drop", CA_KEY_P256, NULL, NULL, dir, sizeof(dir));
	assert_int_equal(signer_start(dir, "no-such-user-entca", &s, why,
	    sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "no such user"));
	/* The signer user opens the key itself, at start and at restarts. */
	assert_int_equal(signer_start(dir, "nobody", &s, why, sizeof(why)),
	    CA_EIO);
	assert_non_null(strstr(why, "Permission denied"));
	snprintf(buf, sizeof(buf), "chown -R nobody %s", dir);
	assert_int_equal(system(buf), 0);
	assert_int_equal(signer_start(dir, "nobody", &s, why, sizeof(why)),
	    CA_OK);
	signer_get_status(s, &st);
	assert_int_equal(st.info.uid, 65534);
	assert_int_equal(st.info.no_new_privs, 1);
	assert_int_equal(st.info.no_caps, 1);
	assert_int_equal(st.info.seccomp, 1);
	assert_true(st.launcher > 0);
	proc_field(st.pid, "PPid", buf, sizeof(buf));
	assert_int_equal(atoi(buf), (int)getpid());	/* re-parented to us */
	proc_field(st.pid, "CapBnd", buf, sizeof(buf));
	assert_string_equal(buf, "\t0000000000000000\n");
	proc_field(st.pid, "Seccomp", buf, sizeof(buf));
	assert_string_equal(buf, "\t2\n");
	proc_field(st.launcher, "Uid", buf, sizeof(buf));
	assert_string_equal(buf, "\t65534\t65534\t65534\t65534\n");
	proc_field(st.pid, "Uid", buf, sizeof(buf));
	assert_string_equal(buf, "\t65534\t65534\t65534\t65534\n");
	proc_field(st.pid, "Groups", buf, sizeof(buf));
	assert_string_equal(buf, "\t65534 \n");	/* nobody's own group */
	proc_field(st.pid, "NoNewPrivs", buf, sizeof(buf));
	assert_string_equal(buf, "\t1\n");
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)st.pid);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			nfd++;
	closedir(d);
	assert_int_equal(nfd, 4);	/* /dev/null x3 + the socket */
	issue_and_verify(dir, s);	/* the key still works after dropping */
	/* A restart comes from the launcher, as nobody, and is logged. */
	{
		struct signer_status st2;

		assert_int_equal(kill(st.pid, SIGKILL), 0);
		/* Bounded wait for the kill to land (the signer reaps it). */
		for (int i = 0; i < 500; i++) {
			proc_field(st.pid, "State", buf, sizeof(buf));
			if (buf[1] == 'Z')
				break;
			usleep(10000);
		}
		restart_after_kill(s);
		signer_get_status(s, &st2);
		assert_true(st2.pid > 0 && st2.pid != st.pid);
		assert_int_equal(st2.info.uid, 65534);
		issue_and_verify(dir, s);
	}
	signer_stop(s);
}

/* Start-up refusals: wrong password, missing key, wrong cert, no CA. */
static void
test_start_errors(void **state)
{
	struct signer *s = NULL;
	char dir[128], other[128], pwf[160], path[600], why[CA_WHY_MAX] = "";
	FILE *f;

	(void)state;
	snprintf(pwf, sizeof(pwf), "%s/pw", t_group_dir);
	f = fopen(pwf, "w");
	assert_non_null(f);
	fputs("right\n", f);
	fclose(f);
	make_ca("enc", CA_KEY_P256, pwf, "right", dir, sizeof(dir));
	assert_int_equal(signer_start(dir, NULL, &s, why, sizeof(why)), CA_OK);
	signer_stop(s);
	f = fopen(pwf, "w");
	fputs("wrong\n", f);
	fclose(f);
	assert_int_equal(signer_start(dir, NULL, &s, why, sizeof(why)),
	    CA_EAUTH);
	assert_non_null(strstr(why, "wrong password"));
	unlink(pwf);
	assert_int_equal(signer_start(dir, NULL, &s, why, sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "No such file"));

	make_ca("plain", CA_KEY_P256, NULL, NULL, dir, sizeof(dir));
	make_ca("other", CA_KEY_P256, NULL, NULL, other, sizeof(other));
	snprintf(path, sizeof(path), "mv %s/ca.crt %s/ca.crt.x && cp %s/ca.crt "
	    "%s/ca.crt", dir, dir, other, dir);
	assert_int_equal(system(path), 0);
	assert_int_equal(signer_start(dir, NULL, &s, why, sizeof(why)),
	    CA_EPOLICY);
	assert_non_null(strstr(why, "does not match"));
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	unlink(path);
	assert_int_equal(signer_start(dir, NULL, &s, why, sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "ca.key"));
	snprintf(path, sizeof(path), "%s/empty", t_group_dir);
	mkdir(path, 0700);
	assert_int_equal(signer_start(path, NULL, &s, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_non_null(strstr(why, "holds no CA"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_kill_restart),
		cmocka_unit_test(test_stuck_child),
		cmocka_unit_test(test_die_in_flight),
		cmocka_unit_test(test_kill_under_load),
		cmocka_unit_test(test_drop_privileges),
		cmocka_unit_test(test_start_errors),
	};
	return cmocka_run_group_tests(tests, t_tmpdir_group_setup,
	    t_tmpdir_group_teardown);
}
