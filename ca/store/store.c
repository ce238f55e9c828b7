/*
 * The store's environment: opening the state folder (schema check, named
 * databases), closing, read transactions, health counters and hot backup.
 * LMDB error translation and the sticky write chain are store_txn.c's. The
 * list of stores open in this process is guarded by open_lock (LMDB
 * forbids opening one environment twice in a process). Everything here
 * may run on any thread but the writer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/store/store_int.h"

const char *const store_db_names[STORE_DB_COUNT] = {
	[STORE_DB_META] = "meta",
	[STORE_DB_REQUESTS] = "requests",
	[STORE_DB_CERTS] = "certs",
	[STORE_DB_BY_EXPIRY] = "by_expiry",
	[STORE_DB_BY_REVOCATION] = "by_revocation",
	[STORE_DB_BY_SUBJECT] = "by_subject",
	[STORE_DB_TEMPLATES] = "templates",
	[STORE_DB_AUDIT] = "audit",
	[STORE_DB_BY_ISSUED] = "by_issued",
	[STORE_DB_CRL_INDEX] = "crl_index",
	[STORE_DB_REV_SEQ] = "rev_seq",
};

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *open_list;

/* Create dir 0700 when missing; it must be a directory. */
static int
store_mkdir(const char *dir, char *why, size_t whylen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return CA_OK;
	if (errno != EEXIST)
		return ca_why(why, whylen, CA_EIO, "store %s: cannot create "
		    "folder: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0)
		return ca_why(why, whylen, CA_EIO, "store %s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ca_why(why, whylen, CA_EIO, "store %s: not a folder",
		    dir);
	return CA_OK;
}

/*
 * Check (or, in a fresh writable store, write) the schema version in meta;
 * *found gets the version the store had (STORE_SCHEMA_VERSION when new).
 * Migrations of older stores run in store_open_dbs once every database
 * is open.
 */
static int
store_schema(struct store *s, MDB_txn *txn, uint64_t *found, char *why,
    size_t whylen)
{
	struct store_wtxn w;
	unsigned char b[8];
	MDB_dbi probe;
	uint64_t ver;
	int rc;

	memset(&w, 0, sizeof(w));
	w.t.s = s;
	w.t.txn = txn;
	*found = STORE_SCHEMA_VERSION;
	rc = store_meta_get_u64(&w.t, STORE_META_SCHEMA, &ver);
	if (rc == CA_ENOTFOUND && s->read_only)
		return ca_why(why, whylen, CA_EDB, "store %s: no schema version "
		    "(not an entca store)", s->path);
	if (rc == CA_ENOTFOUND) {
		/* A store with certificates but no schema is not ours. */
		if (mdb_dbi_open(txn, "certs", 0, &probe) == 0)
			return ca_why(why, whylen, CA_EDB, "store %s: has data "
			    "but no schema version", s->path);
		store_be64(b, STORE_SCHEMA_VERSION);
		if (store_w_meta_put_raw(&w, STORE_META_SCHEMA, b,
		    sizeof(b)) != CA_OK)
			return ca_why(why, whylen, w.rc, "%s", w.why);
		return CA_OK;
	}
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "%s", w.t.why);
	if (ver > STORE_SCHEMA_VERSION)
		return ca_why(why, whylen, CA_EVERSION, "store %s: schema "
		    "version %llu is newer than this entca (%d); upgrade entca",
		    s->path, (unsigned long long)ver, STORE_SCHEMA_VERSION);
	if (ver == 0)
		return ca_why(why, whylen, CA_EDB, "store %s: schema version 0 "
		    "(damaged)", s->path);
	*found = ver;
	return CA_OK;
}

/*
 * Open the named databases and check the schema in one transaction (a
 * write one that creates what is missing, or a read one when read-only).
 */
static int
store_open_dbs(struct store *s, char *why, size_t whylen)
{
	MDB_txn *txn = NULL;
	unsigned create = s->read_only ? 0 : MDB_CREATE;
	struct store_wtxn w;
	unsigned char b[8];
	uint64_t ver = 0;
	int mrc, rc;

	mrc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &txn);
	if (mrc != 0)
		return store_mdb_err(s, mrc, "begin", why, whylen);
	mrc = mdb_dbi_open(txn, store_db_names[STORE_DB_META], create,
	    &s->dbi[STORE_DB_META]);
	if (mrc == MDB_NOTFOUND) {
		rc = ca_why(why, whylen, CA_EDB, "store %s: no meta database "
		    "(not an entca store)", s->path);
		goto out;
	}
	if (mrc != 0) {
		rc = store_mdb_err(s, mrc, "open meta", why, whylen);
		goto out;
	}
	if ((rc = store_schema(s, txn, &ver, why, whylen)) != CA_OK)
		goto out;
	for (int i = 0; i < STORE_DB_COUNT; i++) {
		mrc = mdb_dbi_open(txn, store_db_names[i], create, &s->dbi[i]);
		/* Read-only on schema 1: everything but newest-first lists. */
		if (mrc == MDB_NOTFOUND && s->read_only &&
		    i == STORE_DB_BY_ISSUED && ver < 2) {
			s->no_by_issued = 1;
			continue;
		}
		/* Read-only before schema 3: the full CRL walks by_revocation. */
		if (mrc == MDB_NOTFOUND && s->read_only &&
		    (i == STORE_DB_CRL_INDEX || i == STORE_DB_REV_SEQ) &&
		    ver < 3) {
			s->no_crl_index = 1;
			continue;
		}
		if (mrc != 0) {
			rc = store_mdb_err(s, mrc, store_db_names[i], why,
			    whylen);
			goto out;
		}
	}
	if (!s->read_only && ver < STORE_SCHEMA_VERSION) {
		/* Schema 1 -> 2 -> 3 in the opening transaction: all or
		 * nothing. */
		memset(&w, 0, sizeof(w));
		w.t.s = s;
		w.t.txn = txn;
		store_be64(b, STORE_SCHEMA_VERSION);
		if ((ver < 2 && store_migrate_by_issued(&w) != CA_OK) ||
		    (ver < 3 && store_migrate_crl_index(&w) != CA_OK) ||
		    store_w_meta_put_raw(&w, STORE_META_SCHEMA, b,
		    sizeof(b)) != CA_OK) {
			rc = ca_why(why, whylen, w.rc, "%s", w.why);
			goto out;
		}
	}
	mrc = mdb_txn_commit(txn);
	txn = NULL;
	rc = store_mdb_err(s, mrc, "commit on open", why, whylen);
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	return rc;
}

/* Add s to the open list unless its folder is open already. */
static int
store_register(struct store *s, char *why, size_t whylen)
{
	int rc = CA_OK;

	pthread_mutex_lock(&open_lock);
	for (struct store *o = open_list; o != NULL; o = o->next_open)
		if (strcmp(o->real, s->real) == 0) {
			rc = ca_why(why, whylen, CA_EEXIST, "store %s: already "
			    "open in this process", s->path);
			goto out;
		}
	s->next_open = open_list;
	open_list = s;
out:
	pthread_mutex_unlock(&open_lock);
	return rc;
}

/* Remove s from the open list (no-op when absent). */
static void
store_unregister(struct store *s)
{
	pthread_mutex_lock(&open_lock);
	for (struct store **pp = &open_list; *pp != NULL;
	    pp = &(*pp)->next_open)
		if (*pp == s) {
			*pp = s->next_open;
			break;
		}
	pthread_mutex_unlock(&open_lock);
}

/* Open the store in dir; see store.h. */
int
store_open(const char *dir, const struct store_options *opt,
    struct store **out, char *why, size_t whylen)
{
	struct store *s = NULL;
	char real[PATH_MAX];
	unsigned flags = MDB_NOTLS;
	MDB_envinfo info;
	int mrc, rc, registered = 0, dead = 0;

	*out = NULL;
	if (dir == NULL || *dir == '\0' || strlen(dir) >= STORE_PATH_MAX)
		return ca_why(why, whylen, CA_EINVAL, "store: folder name "
		    "empty or longer than %d bytes", STORE_PATH_MAX - 1);
	if ((!opt || !opt->read_only) &&
	    (rc = store_mkdir(dir, why, whylen)) != CA_OK)
		return rc;
	if (realpath(dir, real) == NULL || strlen(real) >= STORE_PATH_MAX)
		return ca_why(why, whylen, CA_EIO, "store %s: cannot resolve "
		    "path", dir);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "store %s: out of memory",
		    dir);
	snprintf(s->path, sizeof(s->path), "%s", dir);
	snprintf(s->real, sizeof(s->real), "%s", real);
	s->map_size = opt && opt->map_size ? opt->map_size :
	    STORE_MAP_SIZE_DEFAULT;
	s->map_max = opt && opt->map_max > s->map_size ? opt->map_max :
	    s->map_size;
	s->group_max = opt && opt->group_max ? opt->group_max :
	    STORE_GROUP_DEFAULT;
	if (s->group_max > STORE_GROUP_MAX)
		s->group_max = STORE_GROUP_MAX;
	s->read_only = opt && opt->read_only;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_rwlock_init(&s->map_lock, NULL);
	if ((rc = store_register(s, why, whylen)) != CA_OK)
		goto out;
	registered = 1;
	if ((mrc = mdb_env_create(&s->env)) != 0) {
		rc = store_mdb_err(s, mrc, "create environment", why, whylen);
		goto out;
	}
	mdb_env_set_maxdbs(s->env, STORE_DB_COUNT);
	mdb_env_set_maxreaders(s->env, opt && opt->max_readers ?
	    opt->max_readers : 126);
	if ((mrc = mdb_env_set_mapsize(s->env, s->map_size)) != 0) {
		rc = store_mdb_err(s, mrc, "set map size", why, whylen);
		goto out;
	}
	if (opt && opt->no_sync)
		flags |= MDB_NOSYNC;
	if (s->read_only)
		flags |= MDB_RDONLY;
	if ((mrc = mdb_env_open(s->env, dir, flags, 0600)) != 0) {
		rc = store_mdb_err(s, mrc, "open", why, whylen);
		goto out;
	}
	/* Free reader slots left by processes that died holding them. */
	mdb_reader_check(s->env, &dead);
	/* LMDB keeps the larger of the asked and the stored map size. */
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	if (s->map_max < s->map_size)
		s->map_max = s->map_size;
	if ((rc = store_open_dbs(s, why, whylen)) != CA_OK)
		goto out;
	if (!s->read_only &&
	    (rc = store_writer_start(s, why, whylen)) != CA_OK)
		goto out;
	*out = s;
	return CA_OK;
out:
	if (s->env != NULL)
		mdb_env_close(s->env);
	if (registered)
		store_unregister(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
	return rc;
}

/* Drain, stop the writer and close; see store.h. */
void
store_close(struct store *s)
{
	if (s == NULL || store_is_writer(s))
		return;
	store_writer_stop(s);
	mdb_env_close(s->env);
	store_unregister(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	pthread_rwlock_destroy(&s->map_lock);
	free(s);
}

/* The folder of s (borrowed). */
const char *
store_path(const struct store *s)
{
	return s->path;
}

/* Begin a read snapshot; see store.h. */
int
store_read_begin(struct store *s, struct store_txn **out, char *why,
    size_t whylen)
{
	struct store_txn *t;
	int mrc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "store %s: out of memory",
		    s->path);
	t->s = s;
	pthread_rwlock_rdlock(&s->map_lock);
	if ((mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn)) != 0) {
		pthread_rwlock_unlock(&s->map_lock);
		free(t);
		return store_mdb_err(s, mrc, "begin read", why, whylen);
	}
	*out = t;
	return CA_OK;
}

/* End a read snapshot (NULL accepted). */
void
store_read_end(struct store_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->txn);
	pthread_rwlock_unlock(&t->s->map_lock);
	free(t);
}

/* Number of entries of database db in t. */
static int
store_entries(struct store_txn *t, enum store_db db, uint64_t *n)
{
	MDB_stat st;
	int mrc;

	if ((mrc = mdb_stat(t->txn, t->s->dbi[db], &st)) != 0)
		return store_txn_mdb(t, mrc, "stat");
	*n = st.ms_entries;
	return CA_OK;
}

/* Fill the health counters from one snapshot; see store.h. */
int
store_stats(struct store *s, struct store_stats *st, char *why,
    size_t whylen)
{
	struct store_txn *t = NULL;
	MDB_envinfo info;
	MDB_stat est;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = store_read_begin(s, &t, why, whylen)) != CA_OK || t == NULL)
		return rc != CA_OK ? rc : CA_EINVAL;
	if ((rc = store_entries(t, STORE_DB_CERTS, &st->certs)) != CA_OK ||
	    (rc = store_entries(t, STORE_DB_REQUESTS, &st->requests)) != CA_OK ||
	    (rc = store_entries(t, STORE_DB_TEMPLATES, &st->templates)) != CA_OK ||
	    (rc = store_entries(t, STORE_DB_AUDIT, &st->audit_events)) != CA_OK ||
	    (rc = store_meta_u64_or_zero(t, STORE_META_PENDING,
	    &st->pending)) != CA_OK ||
	    (rc = store_meta_u64_or_zero(t, STORE_META_REVOKED,
	    &st->revoked)) != CA_OK) {
		ca_why(why, whylen, rc, "%s", t->why);
		goto out;
	}
	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &est);
	st->map_size = info.me_mapsize;
	st->map_used = (size_t)(info.me_last_pgno + 1) * est.ms_psize;
	st->map_max = s->map_max;
	pthread_mutex_lock(&s->lock);
	st->groups = s->groups;
	st->jobs = s->jobs;
	st->map_grown = s->map_grown;
	pthread_mutex_unlock(&s->lock);
out:
	store_read_end(t);
	return rc;
}

/* True when dir has no entries but . and .. */
static int
store_dir_empty(const char *dir)
{
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

/* Whether writes currently work; see store.h. */
int
store_write_health(struct store *s, char *why, size_t whylen)
{
	int rc = CA_OK;

	pthread_mutex_lock(&s->lock);
	if (s->write_failing) {
		rc = s->write_failing;
		ca_why(why, whylen, rc, "%s", s->write_why);
	} else if (why != NULL && whylen > 0) {
		why[0] = '\0';
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Hot, compacted copy into an empty folder; see store.h. */
int
store_backup(struct store *s, const char *dir, char *why, size_t whylen)
{
	char file[STORE_PATH_MAX + 16];
	int mrc, rc;

	if (store_is_writer(s))
		return ca_why(why, whylen, CA_EINVAL, "store %s: backup from "
		    "the writer thread", s->path);
	if (dir == NULL || *dir == '\0' || strlen(dir) >= STORE_PATH_MAX)
		return ca_why(why, whylen, CA_EINVAL, "backup: folder name "
		    "empty or longer than %d bytes", STORE_PATH_MAX - 1);
	if ((rc = store_mkdir(dir, why, whylen)) != CA_OK)
		return rc;
	if (!store_dir_empty(dir))
		return ca_why(why, whylen, CA_EEXIST, "backup %s: folder is "
		    "not empty; a backup goes into a new or empty folder", dir);
	/* The copy reads through its own transaction: no growth meanwhile. */
	pthread_rwlock_rdlock(&s->map_lock);
	mrc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&s->map_lock);
	if (mrc != 0) {
		rc = store_mdb_err(s, mrc, "backup", why, whylen);
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		unlink(file);
		return rc;
	}
	return CA_OK;
}
