/*
 * Giving the map's pages back: the process's page-table view of the LMDB
 * map shrinks to nothing while the page cache keeps the pages. Every read
 * of the store touches map pages, so a long-running entcad's VmRSS grows
 * with the database it has read (its RssAnon stays flat): after a soak the
 * resident count is mostly file pages that the kernel holds anyway. The
 * map is MAP_SHARED and read-only in this process (no MDB_WRITEMAP: the
 * writer writes with pwrite), so MADV_DONTNEED only drops mappings: the
 * next read faults the same bytes back from the page cache, and no data
 * can be lost. Any thread but the writer; readers may run meanwhile.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "ca/store/store_int.h"

/* Drop this process's mappings of the map's pages; see store.h. */
int
store_release_pages(struct store *s, char *why, size_t whylen)
{
	MDB_envinfo info;
	int rc = CA_OK;

	if (store_is_writer(s))
		return ca_why(why, whylen, CA_EINVAL, "store %s: page release "
		    "from the writer thread", s->path);
	/* Shared: the writer cannot move the map (growth) meanwhile. */
	pthread_rwlock_rdlock(&s->map_lock);
	memset(&info, 0, sizeof(info));
	if (mdb_env_info(s->env, &info) == 0 && info.me_mapaddr != NULL &&
	    madvise(info.me_mapaddr, info.me_mapsize, MADV_DONTNEED) != 0)
		rc = ca_why(why, whylen, CA_EIO, "store %s: madvise: %s",
		    s->path, strerror(errno));
	pthread_rwlock_unlock(&s->map_lock);
	return rc;
}
