/*
 * Helpers the management API's area files share: JSON errors, RFC 3339
 * times (every JSON time the API writes is UTC with a Z), query
 * parameters and page sizes, and the CA rights check. Any thread; nothing
 * here keeps state.
 */
#define _GNU_SOURCE	/* timegm */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ca/api/api_int.h"
#include "ca/http/http_util.h"
#include "ca/store/store.h"
#include "common/log.h"
#include "policy/rights.h"

/* A JSON string of s, escaped when it is not UTF-8; see api_int.h. */
json_t *
api_str(const char *s)
{
	char buf[CA_WHY_MAX * 2];
	json_t *v = json_string(s != NULL ? s : "");

	if (v != NULL)
		return v;
	/* Bytes from a certificate or a client that are not UTF-8: \xNN. */
	log_escape(s, strlen(s), buf, sizeof(buf));
	v = json_string(buf);
	return v != NULL ? v : json_string("");
}

/* RFC 3339 text of t into buf; see api_int.h. */
const char *
api_time_text(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, API_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, API_TIME_MAX, "1970-01-01T00:00:00Z");
	return buf;
}

/* RFC 3339 time as a JSON string. */
json_t *
api_time(int64_t t)
{
	char buf[API_TIME_MAX];

	return json_string(api_time_text(t, buf));
}

/* Whether s starts with pattern's shape ('d' a digit, else that byte). */
static bool
digits_at(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; pattern++, s++)
		if (*pattern == 'd' ? (*s < '0' || *s > '9') : *s != *pattern)
			return false;
	return true;
}

/* Parse RFC 3339 (§5.6 date-time or full-date); see api_int.h. */
int
api_time_parse(const char *s, int64_t *t)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	long off = 0;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	/* Digits where RFC 3339 has them: sscanf alone takes signs, blanks. */
	if (!digits_at(s, "dddd-dd-dd") ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return CA_EPARSE;
	p = s + n;
	if (*p != '\0') {
		if ((*p != 'T' && *p != 't' && *p != ' ') ||
		    !digits_at(p + 1, "dd:dd:dd") || sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 ||
		    n != 8)
			return CA_EPARSE;
		p += 1 + n;
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if ((*p == '+' || *p == '-') && digits_at(p + 1, "dd:dd") &&
		    sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5 &&
		    oh <= 23 && om <= 59) {
			off = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
			p += 1 + n;
		} else
			return CA_EPARSE;
		if (*p != '\0')
			return CA_EPARSE;
	}
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return CA_EPARSE;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = (int64_t)timegm(&tm) - off;
	return CA_OK;
}

/* Query string value; see api_int.h. */
bool
api_query_str(struct job *j, const char *query, const char *name, char *out,
    size_t outsz, bool *bad)
{
	int rc;

	if (query == NULL)
		return false;
	rc = http_query_get(query, name, out, outsz);
	if (rc == CA_ENOTFOUND)
		return false;
	if (rc != CA_OK) {
		job_fail(j, CA_EPARSE, "%s: %s", name,
		    rc == CA_ETOOBIG ? "too long" : "bad percent-encoding");
		*bad = true;
		return false;
	}
	return true;
}

/* Query time value; see api_int.h. */
bool
api_query_time(struct job *j, const char *query, const char *name,
    int64_t *t)
{
	char v[API_PARAM_MAX];
	bool bad = false;

	if (!api_query_str(j, query, name, v, sizeof(v), &bad))
		return !bad;
	if (api_time_parse(v, t) != CA_OK) {
		job_fail(j, CA_EPARSE, "%s: expected an RFC 3339 "
		    "time such as 2026-12-07T10:00:00Z", name);
		return false;
	}
	return true;
}

/* Decimal 1..max; see api_int.h. */
int
api_number_parse(const char *s, uint64_t max, uint64_t *n)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return CA_EPARSE;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v == 0 || v > max)
		return CA_EPARSE;
	*n = v;
	return CA_OK;
}

/* Page size; see api_int.h. */
bool
api_query_limit(struct job *j, const char *query, size_t *limit)
{
	char v[API_PARAM_MAX];
	bool bad = false;
	uint64_t n;

	*limit = API_LIST_DEFAULT;
	if (!api_query_str(j, query, "limit", v, sizeof(v), &bad))
		return !bad;
	if (api_number_parse(v, API_LIST_MAX, &n) != CA_OK) {
		job_fail(j, CA_EPARSE, "limit: expected 1..%d",
		    API_LIST_MAX);
		return false;
	}
	*limit = (size_t)n;
	return true;
}

/* A string filter; see api_int.h. */
bool
api_query_filter(struct job *j, const char *query, const char *name,
    char *out, size_t outsz)
{
	bool bad = false;

	out[0] = '\0';
	api_query_str(j, query, name, out, outsz, &bad);
	return !bad;
}

/* The paging of a newest-first list; see api_int.h. */
bool
api_query_page(struct job *j, const char *query, struct api_page *p)
{
	char v[API_PARAM_MAX];
	bool bad = false;

	p->after = INT64_MIN;
	p->before = INT64_MAX;
	p->below = UINT64_MAX;
	if (!api_query_time(j, query, "after", &p->after) ||
	    !api_query_time(j, query, "before", &p->before) ||
	    !api_query_limit(j, query, &p->limit))
		return false;
	if (!api_query_str(j, query, "next", v, sizeof(v), &bad))
		return !bad;
	if (api_number_parse(v, UINT64_MAX, &p->below) != CA_OK) {
		job_fail(j, CA_EPARSE, "next: not a cursor this API gave");
		return false;
	}
	return true;
}

/* Keep a row on a page; see api_int.h. */
int
api_page_keep(struct api_page *p, json_t *list, uint64_t n, json_t *row)
{
	if (json_array_size(list) == p->limit) {
		json_decref(row);
		p->more = true;
		return 1;
	}
	json_array_append_new(list, row);
	p->last = n;
	return 0;
}

/* The page's answer; see api_int.h. */
void
api_page_reply(struct job *j, const struct api_page *p, const char *member,
    json_t *list)
{
	json_t *o = json_pack("{s:O}", member, list);
	char next[32];

	if (p->more) {
		snprintf(next, sizeof(next), "%llu", (unsigned long long)p->last);
		json_object_set_new(o, "next", json_string(next));
	}
	job_json(j, 200, o);
}

/* A failed store read; see api_int.h. */
void
api_read_fail(struct job *j, const char *what, const struct store_txn *t,
    const char *why, int rc)
{
	log_error("%s: %s", what, t != NULL ? store_txn_why(t) : why);
	job_fail(j, CA_EDB, "%s: %s", what, ca_strerror(rc));
}

/* The rights check with its 403; see api_int.h. */
bool
api_require(struct job *j, unsigned rights, const char *what)
{
	char need[128] = "";
	size_t n = 0;

	for (int i = 0; i < CA_RIGHT_COUNT; i++)
		if (job_has_ca_right(j, 1u << i) && (rights & (1u << i)))
			return true;
	for (int i = 0; i < CA_RIGHT_COUNT; i++)
		if (rights & (1u << i))
			n += (size_t)snprintf(need + n, sizeof(need) - n, "%s%s",
			    n ? " or " : "", ca_right_names[i]);
	job_fail(j, CA_EDENIED, "%s: the CA %s right is required", what,
	    need);
	return false;
}

/* ASCII case-insensitive substring. */
bool
api_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}
