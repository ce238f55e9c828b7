/*
 * libFuzzer target for entcad.conf (config_load): the bytes become the
 * file (a memfd, so no disk I/O per run) and are parsed with inih into
 * struct ca_config, cross-key checks and derived URLs included. A refusal
 * must come with a sentence naming the file; anything else is a bug.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/daemon/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ca_config cfg;
	char path[64], why[CA_WHY_MAX];
	int fd, rc;

	if ((fd = memfd_create("entcad.conf", MFD_CLOEXEC)) < 0)
		return 0;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	why[0] = '\0';
	rc = config_load(path, &cfg, why, sizeof(why));
	close(fd);
	if (rc != CA_OK && strstr(why, path) == NULL)
		abort();	/* every refusal names the file */
	if (rc == CA_OK && (cfg.max_conn_per_source > cfg.max_connections ||
	    cfg.delta_period_s >= cfg.crl_period_s))
		abort();	/* a cross-key rule let a bad file through */
	return 0;
}
