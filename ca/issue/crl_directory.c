/*
 * The directory step of a CRL publication (see crl_publish.h): the served
 * bytes go to the CDP entry through the caller's sink, and the store keeps
 * the full and the delta CRL numbers written and the entry's change stamp
 * read right after the last write. A later start whose served CRL has that
 * number, while the entry still shows that stamp, does not write again: a
 * full CRL of a million revocations is ~40 MB per write, replicated to
 * every domain controller. Any write by anybody else (a restore of the
 * directory, an administrator, an older CRL put back) changes the stamp,
 * and the CRL is written again; so does every doubt (no stamp, an
 * unreadable record, a failed read).
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "ca/issue/crl_publish.h"
#include "ca/store/store.h"

/*
 * The record: the numbers of the full and the delta CRL entcad wrote last
 * (0: none vouched for) and the entry's stamp after that write. Both kinds
 * live on the same entry, so a write of one changes the stamp the other
 * was recorded with: the record is one, for the entry, its three values
 * written in one commit.
 */
struct dirmark {
	uint64_t number[2];		/* [0] full, [1] delta */
	char stamp[CRLPUB_STAMP_MAX];
};

static const char *const dirmark_numbers[2] = {
	CRLPUB_META_DIR_FULL, CRLPUB_META_DIR_DELTA
};

/* Read the record; false when absent or incomplete. */
static bool
dirmark_read(const struct crlpub *p, struct dirmark *m)
{
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	size_t len = 0;
	bool ok;

	if (store_read_begin(p->store, &t, why, sizeof(why)) != CA_OK)
		return false;
	ok = store_meta_get_u64(t, dirmark_numbers[0], &m->number[0]) == CA_OK &&
	    store_meta_get_u64(t, dirmark_numbers[1], &m->number[1]) == CA_OK &&
	    store_meta_get(t, CRLPUB_META_DIR_STAMP, m->stamp,
	    sizeof(m->stamp) - 1, &len) == CA_OK;
	store_read_end(t);
	if (!ok)
		return false;
	m->stamp[len] = '\0';
	return strlen(m->stamp) == len;
}

/* Writer thread: replace the record. */
static int
dirmark_apply(struct store_wtxn *w, void *arg)
{
	const struct dirmark *m = arg;

	store_w_meta_put_u64(w, dirmark_numbers[0], m->number[0]);
	store_w_meta_put_u64(w, dirmark_numbers[1], m->number[1]);
	return store_w_meta_put(w, CRLPUB_META_DIR_STAMP, m->stamp,
	    strlen(m->stamp));
}

/*
 * Keep the record. A failure only means the next start writes the CRLs
 * again: why is not the caller's. An empty stamp never matches, so such a
 * record only forgets.
 */
static void
dirmark_write(const struct crlpub *p, const struct dirmark *m)
{
	char why[CA_WHY_MAX];

	store_submit_wait(p->store, dirmark_apply, (void *)m, why, sizeof(why));
}

/* The entry's stamp now, "" when it cannot be read. */
static void
dirmark_stamp(const struct crlpub *p, char *out, size_t outlen)
{
	char why[CA_WHY_MAX];

	if (p->extra_stamp(p->extra_arg, out, outlen, why, sizeof(why)) != CA_OK)
		out[0] = '\0';
}

/* The directory step; see crl_publish.h. */
int
crlpub_to_directory(const struct crlpub *p, const struct crlpub_result *r,
    bool force, bool *unchanged, char *why, size_t whylen)
{
	struct dirmark kept, next;
	char now[CRLPUB_STAMP_MAX];
	int k = r->delta ? 1 : 0;
	bool same = false;
	int rc;

	if (unchanged != NULL)
		*unchanged = false;
	if (p->extra == NULL)
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "no directory publication configured");
	if (r->der == NULL)
		return ca_why(why, whylen, CA_EINVAL, "no CRL to write");
	if (p->extra_stamp != NULL && dirmark_read(p, &kept)) {
		dirmark_stamp(p, now, sizeof(now));
		same = now[0] != '\0' && strcmp(now, kept.stamp) == 0;
	}
	if (!force && same && kept.number[k] == r->number) {
		if (unchanged != NULL)
			*unchanged = true;
		return CA_OK;
	}
	rc = p->extra(p->extra_arg, r->delta, r->der, r->der_len, why, whylen);
	if (rc != CA_OK || p->extra_stamp == NULL)
		return rc;
	/* The other kind stays vouched for only if nobody wrote in between. */
	memset(&next, 0, sizeof(next));
	next.number[k] = r->number;
	next.number[1 - k] = same ? kept.number[1 - k] : 0;
	dirmark_stamp(p, next.stamp, sizeof(next.stamp));
	dirmark_write(p, &next);
	return CA_OK;
}
