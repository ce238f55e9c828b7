/*
 * Logging for the daemon and the admin tool: levels, stderr or syslog.
 * Only the request level and the daemon's top level log (library
 * code returns codes). Thread-safe: one write(2)/syslog(3) per line.
 */
#ifndef ENTCA_CA_LOG_H
#define ENTCA_CA_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_COUNT
};

/* Set the threshold and the sink; ident names the program in syslog. */
void log_init(const char *ident, enum log_level level, bool use_syslog);

/* Change the threshold (SIGHUP reload); any thread. */
void log_set_level(enum log_level level);

/*
 * Whether a line at level would be written: for callers whose message
 * costs work to build (a debug explanation walking every group), so that
 * work is skipped when the line would be dropped. Any thread.
 */
bool log_enabled(enum log_level level);

/* Parse "error".."debug"; returns -1 for an unknown name. */
int log_level_parse(const char *name);

/*
 * Render inlen bytes of untrusted text safely for one log line or one
 * table cell: control characters (C0, DEL, C1), line and paragraph
 * separators and bidirectional overrides become \n, \r, \t, \xNN or
 * \uNNNN; bytes that are not UTF-8 become \xNN; everything else is kept.
 * Backslashes are kept as they are (DNs use them, RFC 4514), so an escape
 * can be imitated but never a line break or a terminal sequence. Writes
 * a NUL-terminated string into out (truncated at a whole character);
 * returns its length. Any thread.
 */
size_t log_escape(const char *in, size_t inlen, char *out, size_t outlen);

/*
 * Write each line as one JSON object ([log] format = json) instead of
 * text: {"time", "level", "prog", "pid", "msg"} plus the fields of
 * log_fields. Any thread (atomic, like the level).
 */
void log_set_json(bool json);

/* One named value of a structured line: a string, or a number when str is NULL. */
struct log_field {
	const char *key;
	const char *str;
	double num;
};

/*
 * Log one line at level: as text, the formatted message alone (exactly
 * what log_msg writes); as JSON, the message plus each of the n fields
 * as its own member (empty strings are left out), so a log collector
 * needs no parsing of the text. Never pass secrets. Any thread.
 */
void log_fields(enum log_level level, const struct log_field *f, size_t n,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Log one line at level; never pass secrets. Any thread. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
