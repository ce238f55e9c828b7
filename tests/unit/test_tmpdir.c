/* Temporary folders for C tests (test_tmpdir.h). Not thread-safe: nftw's
 * callback has no argument, so the failure flag is a static. */
#include "config.h"

#include <errno.h>
#include <limits.h>
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

char t_group_dir[64];	/* short: tests put sockets below it */

/* The program's name ("test_signer" gives "entca-signer"). */
int
t_tmpdir_group_setup(void **state)
{
	const char *prog = program_invocation_short_name;
	char name[NAME_MAX];

	(void)state;
	if (strncmp(prog, "test_", 5) == 0)
		prog += 5;
	snprintf(name, sizeof(name), "entca-%s", prog);
	return t_tmpdir_make(t_group_dir, sizeof(t_group_dir), name) == CA_OK ?
	    0 : -1;
}

/* Remove the group's folder. */
int
t_tmpdir_group_teardown(void **state)
{
	(void)state;
	return t_tmpdir_remove(t_group_dir) == CA_OK ? 0 : -1;
}

/* fopen/fputs/fclose, each checked. */
int
t_tmpdir_put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int n, ok;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return CA_ETOOBIG;
	if ((f = fopen(path, "w")) == NULL)
		return CA_EIO;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? CA_OK : CA_EIO;
}
