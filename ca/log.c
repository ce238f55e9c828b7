/*
 * Log sink: formats a line with a UTC timestamp and level and writes it in
 * one write(2) to stderr, or hands it to syslog(3). The level is an atomic
 * so reloads from the loop thread need no lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ca/log.h"

static const char *const log_level_names[LOG_LEVEL_COUNT] = {
	"error", "warning", "notice", "info", "debug"
};
static const int log_syslog_prio[LOG_LEVEL_COUNT] = {
	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
};

static int log_threshold = LOG_LEVEL_INFO;
static int log_syslog;
static const char *log_ident = "entca";

/* Open syslog when asked; stderr needs no set-up. */
void
log_init(const char *ident, enum log_level level, bool use_syslog)
{
	log_ident = ident;
	__atomic_store_n(&log_threshold, (int)level, __ATOMIC_RELAXED);
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Atomic so any thread may read the threshold while the loop reloads it. */
void
log_set_level(enum log_level level)
{
	__atomic_store_n(&log_threshold, (int)level, __ATOMIC_RELAXED);
}

/* Map a level name to its value. */
int
log_level_parse(const char *name)
{
	for (int i = 0; i < LOG_LEVEL_COUNT; i++)
		if (strcmp(name, log_level_names[i]) == 0)
			return i;
	return -1;
}

/* Format and emit one line if level passes the threshold. */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	char msg[1800];
	va_list ap;
	struct tm tm;
	time_t now;
	int n;

	if ((int)level > __atomic_load_n(&log_threshold, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(log_syslog_prio[level], "%s", msg);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%d] %s: %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, log_ident, (int)getpid(), log_level_names[level], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
