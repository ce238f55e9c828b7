/*
 * Log sink: formats a line with a UTC timestamp and level and writes it in
 * one write(2) to stderr, or hands it to syslog(3). The level is an atomic
 * so reloads from the loop thread need no lock.
 *
 * Every message passes through log_escape() before it is written: the
 * strings in it (CSR names, user names, paths, reasons quoting them) come
 * from clients, and a newline or a terminal escape in them must not forge
 * a line or repaint an operator's terminal (issue 20 item 7). The same
 * function renders untrusted strings in `entca` tables and audit records.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *const log_level_names[LOG_LEVEL_COUNT] = {
	"error", "warning", "notice", "info", "debug"
};
static const int log_syslog_prio[LOG_LEVEL_COUNT] = {
	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
};

static int log_threshold = LOG_LEVEL_INFO;
static int log_syslog;
static int log_json;
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

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF (RFC 3629 §3). */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Code points a terminal or a log reader acts on: C0 and C1 controls, DEL,
 * the line and paragraph separators, and the bidirectional overrides that
 * make text display in another order than it is stored.
 */
static bool
log_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	    c == 0x061c;
}

/* Render in safely into out; see log.h. */
size_t
log_escape(const char *in, size_t inlen, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, len;
	char tmp[12];
	uint32_t cp;
	size_t tl;

	if (outlen == 0)
		return 0;
	while (i < inlen) {
		len = utf8_seq(s + i, inlen - i, &cp);
		tl = 0;
		if (len == 0) {
			/* Not UTF-8: one byte, shown as \xNN. */
			tmp[tl++] = '\\';
			tmp[tl++] = 'x';
			tmp[tl++] = digits[s[i] >> 4];
			tmp[tl++] = digits[s[i] & 0xf];
			len = 1;
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			tmp[tl++] = '\\';
			tmp[tl++] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		} else if (log_unsafe(cp)) {
			tl = (size_t)snprintf(tmp, sizeof(tmp), cp < 0x100 ?
			    "\\x%02x" : "\\u%04x", (unsigned)cp);
		} else {
			memcpy(tmp, s + i, len);
			tl = len;
		}
		if (o + tl >= outlen)
			break;	/* truncate at a whole character or escape */
		memcpy(out + o, tmp, tl);
		o += tl;
		i += len;
	}
	out[o] = '\0';
	return o;
}

/* Append s to out[*o..len) as the inside of a JSON string (s is log_escape'd). */
static void
json_put(char *out, size_t len, size_t *o, const char *s)
{
	for (; *s != '\0' && *o + 2 < len; s++) {
		if (*s == '"' || *s == '\\')
			out[(*o)++] = '\\';
		out[(*o)++] = *s;
	}
	out[*o] = '\0';
}

/* Append printf-style text to out[*o..len), keeping it NUL-terminated. */
static void __attribute__((format(printf, 4, 5)))
put(char *out, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < len ? *o + (size_t)n : len - 1;
}

/* Emit one already formatted message with its fields; see log_fields. */
static void
log_emit(enum log_level level, const struct log_field *f, size_t n,
    const char *raw)
{
	char line[4096];
	char msg[1800];
	char val[1024];
	struct tm tm;
	time_t now;
	size_t o = 0;

	log_escape(raw, strlen(raw), msg, sizeof(msg));
	now = time(NULL);
	gmtime_r(&now, &tm);
	if (!__atomic_load_n(&log_json, __ATOMIC_RELAXED)) {
		if (log_syslog) {
			syslog(log_syslog_prio[level], "%s", msg);
			return;
		}
		put(line, sizeof(line), &o, "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%d] %s: %s\n",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, log_ident, (int)getpid(), log_level_names[level], msg);
	} else {
		put(line, sizeof(line), &o, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\","
		    "\"level\":\"%s\",\"prog\":\"%s\",\"pid\":%d,\"msg\":\"",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, log_level_names[level], log_ident, (int)getpid());
		json_put(line, sizeof(line) - 4, &o, msg);
		put(line, sizeof(line), &o, "\"");
		for (size_t i = 0; i < n; i++) {
			if (f[i].str != NULL && f[i].str[0] == '\0')
				continue;
			put(line, sizeof(line) - 4, &o, ",\"%s\":", f[i].key);
			if (f[i].str == NULL) {
				put(line, sizeof(line) - 4, &o, "%.3f", f[i].num);
				continue;
			}
			log_escape(f[i].str, strlen(f[i].str), val, sizeof(val));
			put(line, sizeof(line) - 4, &o, "\"");
			json_put(line, sizeof(line) - 4, &o, val);
			put(line, sizeof(line) - 3, &o, "\"");
		}
		put(line, sizeof(line), &o, "}\n");
		if (log_syslog) {
			line[o > 0 ? o - 1 : 0] = '\0';
			syslog(log_syslog_prio[level], "%s", line);
			return;
		}
	}
	if (o > 0 && line[o - 1] != '\n')
		line[o - 1] = '\n';	/* truncated: still one whole line */
	if (write(STDERR_FILENO, line, o) < 0)
		return;
}

/* Atomic so any thread may log while the loop reloads the format. */
void
log_set_json(bool json)
{
	__atomic_store_n(&log_json, json ? 1 : 0, __ATOMIC_RELAXED);
}

/* See log.h. */
bool
log_enabled(enum log_level level)
{
	return (int)level <= __atomic_load_n(&log_threshold, __ATOMIC_RELAXED);
}

/* Format and emit one line with its fields if level passes the threshold. */
static void
log_vfields(enum log_level level, const struct log_field *f, size_t n,
    const char *fmt, va_list ap)
{
	char raw[1800];

	if (!log_enabled(level))
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_emit(level, f, n, raw);
}

/* A line with named fields; see log.h. */
void
log_fields(enum log_level level, const struct log_field *f, size_t n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, f, n, fmt, ap);
	va_end(ap);
}

/* Format and emit one line if level passes the threshold. */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, NULL, 0, fmt, ap);
	va_end(ap);
}
