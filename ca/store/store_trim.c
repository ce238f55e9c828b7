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
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ca/store/store_int.h"

/*
 * Where the map of s is in this process: LMDB does not say (its envinfo
 * address is the fixed-map hint, 0 here), so read /proc/self/maps for
 * the mapping of <folder>/data.mdb. Call with map_lock held (shared is
 * enough: only growth moves the map). CA_ENOTFOUND when not found.
 */
int
store_map_range(struct store *s, void **addr, size_t *len)
{
	char line[STORE_PATH_MAX + 256], want[STORE_PATH_MAX + 16];
	unsigned long lo = 0, hi = 0, a, b;
	size_t n;
	FILE *f;

	*addr = NULL;
	*len = 0;
	snprintf(want, sizeof(want), "%s/data.mdb", s->real);
	n = strlen(want);
	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return CA_ENOTFOUND;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t l = strlen(line);
		char *path;

		if (l > 0 && line[l - 1] == '\n')
			line[--l] = '\0';
		if ((path = strchr(line, '/')) == NULL || strlen(path) != n ||
		    memcmp(path, want, n) != 0 ||
		    sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		if (lo == 0 || a < lo)
			lo = a;
		if (b > hi)
			hi = b;
	}
	fclose(f);
	if (lo == 0 || hi <= lo)
		return CA_ENOTFOUND;
	*addr = (void *)lo;
	*len = hi - lo;
	return CA_OK;
}

/* Drop this process's mappings of the map's pages; see store.h. */
int
store_release_pages(struct store *s, char *why, size_t whylen)
{
	void *addr;
	size_t len;
	int rc = CA_OK;

	if (store_is_writer(s))
		return ca_why(why, whylen, CA_EINVAL, "store %s: page release "
		    "from the writer thread", s->path);
	/* Shared: the writer cannot move the map (growth) meanwhile. */
	pthread_rwlock_rdlock(&s->map_lock);
	if (store_map_range(s, &addr, &len) == CA_OK &&
	    madvise(addr, len, MADV_DONTNEED) != 0)
		rc = ca_why(why, whylen, CA_EIO, "store %s: madvise: %s",
		    s->path, strerror(errno));
	pthread_rwlock_unlock(&s->map_lock);
	return rc;
}
