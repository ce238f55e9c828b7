/*
 * Temporary folders for C tests: remove a folder tree with nftw (depth
 * first, symlinks not followed) instead of system("rm -rf"), which needs
 * a shell, breaks on quotes in $TMPDIR, and hides what failed.
 */
#ifndef ENTCA_TESTS_TMPDIR_H
#define ENTCA_TESTS_TMPDIR_H

#include <stddef.h>

/*
 * Create a private (0700) folder "$TMPDIR/<name>.XXXXXX" (/tmp without
 * TMPDIR) and write its path into buf. Returns CA_OK, CA_ETOOBIG or CA_EIO.
 */
int t_tmpdir_make(char *buf, size_t len, const char *name);

/*
 * Remove dir and everything below it; a symlink is removed, never
 * followed. A missing dir is fine. Returns CA_OK or CA_EIO (the first
 * failure is printed to stderr with its path).
 */
int t_tmpdir_remove(const char *dir);

#endif
