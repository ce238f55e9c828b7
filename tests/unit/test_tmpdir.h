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

/*
 * The folder of a test program's group, for programs whose tests share
 * one: t_tmpdir_group_setup() and t_tmpdir_group_teardown() are cmocka
 * group fixtures (cmocka_run_group_tests(tests, t_tmpdir_group_setup,
 * t_tmpdir_group_teardown)) that make "$TMPDIR/entca-<program>.XXXXXX"
 * into t_group_dir, <program> being the program's name without "test_",
 * and remove it with everything below. They return 0, or -1 on failure.
 */
extern char t_group_dir[64];
int t_tmpdir_group_setup(void **state);
int t_tmpdir_group_teardown(void **state);

/*
 * Write text into dir/name, replacing the file. Returns CA_OK,
 * CA_ETOOBIG (path too long) or CA_EIO.
 */
int t_tmpdir_put(const char *dir, const char *name, const char *text);

#endif
