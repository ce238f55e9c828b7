/*
 * Whether another process has a store open: LMDB takes a shared fcntl
 * lock on the first byte of lock.mdb in every process that opens the
 * environment and holds it until close, so a test for a conflicting write
 * lock names a running entcad (or another entca). For the commands that
 * must not change a CA behind a running daemon (restore, CA renewal).
 * Any thread; opens nothing of the store itself.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ca/store/store.h"

/* See store.h. */
bool
store_in_use(const char *dir, long *pid)
{
	char path[PATH_MAX];
	struct flock fl;
	bool busy = false;
	int fd;

	if (snprintf(path, sizeof(path), "%s/lock.mdb", dir) >= (int)sizeof(path))
		return false;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
		busy = true;
		*pid = (long)fl.l_pid;
	}
	close(fd);
	return busy;
}
