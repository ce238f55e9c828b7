/* Temporary folders for C tests (test_tmpdir.h). Not thread-safe: nftw's
 * callback has no argument, so the failure flag is a static. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "tests/unit/test_tmpdir.h"

static int tmpdir_failed;

/* Called children first (FTW_DEPTH): files, links, then the emptied folder. */
static int
tmpdir_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "t_tmpdir_remove: %s: %s\n", path,
		    strerror(errno));
		tmpdir_failed = 1;
	}
	return 0;	/* keep going: remove what can be removed */
}

/* mkdtemp under $TMPDIR. */
int
t_tmpdir_make(char *buf, size_t len, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(buf, len, "%s/%s.XXXXXX", base, name);
	if (n < 0 || (size_t)n >= len)
		return CA_ETOOBIG;
	return mkdtemp(buf) != NULL ? CA_OK : CA_EIO;
}

/* Depth-first, physical walk; 16 descriptors are plenty for test trees. */
int
t_tmpdir_remove(const char *dir)
{
	tmpdir_failed = 0;
	if (nftw(dir, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT) {
		fprintf(stderr, "t_tmpdir_remove: %s: %s\n", dir,
		    strerror(errno));
		return CA_EIO;
	}
	return tmpdir_failed ? CA_EIO : CA_OK;
}
