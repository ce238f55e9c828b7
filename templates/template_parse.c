/*
 * The template file parser: INI (inih) with a [template] section of AD CS
 * properties and a [security] section of allow/deny entries. Every refusal
 * names the file, the line, the key and what was expected. The reader hands
 * inih one line at a time so that the handler knows the line it is on
 * (inih's own line numbers only come back for syntax errors). Cross-key
 * rules run after the last line. No state outside the call; any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_keys.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

/* The defaults documented at template_defaults in template.h. */
static const struct template tmpl_default = {
	.major_version = 100, .minor_version = 0, .schema_version = 2,
	.validity_seconds = TMPL_SECONDS_YEAR,
	.renewal_seconds = 6 * TMPL_SECONDS_WEEK,
	.compat_ca = TMPL_COMPAT_2003, .compat_recipient = TMPL_COMPAT_2003,
	.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
	.key_algorithms = TMPL_KEY_RSA, .min_key_size = 2048,
	.hash = TMPL_HASH_SHA256,
	.subject = TMPL_SUBJECT_FROM_DIRECTORY,
	.subject_format = TMPL_SUBJFMT_CN_USERNAME, .san = TMPL_SAN_UPN,
	.key_usage = TMPL_KU_DIGITAL_SIGNATURE | TMPL_KU_KEY_ENCIPHERMENT,
	.key_usage_critical = true, .sid_extension = true, .path_len = -1,
};

/* Fill the defaults documented in template.h. */
void
template_defaults(struct template *t)
{
	*t = tmpl_default;
}

/* Hand inih the next line; see the file comment. */
static char *
pctx_reader(char *str, int num, void *stream)
{
	struct tmpl_pctx *c = stream;
	const char *p, *nl;
	size_t avail, linelen, content;

	if (c->stop || c->pos >= c->len)
		return NULL;
	p = c->buf + c->pos;
	avail = c->len - c->pos;
	nl = memchr(p, '\n', avail);
	linelen = nl != NULL ? (size_t)(nl - p) + 1 : avail;
	content = nl != NULL ? linelen - 1 : linelen;
	if (content > 0 && p[content - 1] == '\r')
		content--;
	c->line++;
	c->pos += linelen;
	c->unterminated = (nl == NULL);
	if (content > TMPL_LINE_MAX || content + 1 > (size_t)num) {
		tmpl_perr(c, "line longer than %d bytes", TMPL_LINE_MAX);
		c->stop = true;
		return NULL;
	}
	memcpy(str, p, content);
	str[content] = '\0';
	c->indented = content > 0 && (p[0] == ' ' || p[0] == '\t');
	return str;
}

/* The inih callback: dispatch by section. Returns 1 to go on, 0 on error. */
static int
pctx_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct tmpl_pctx *c = user;
	char v[TMPL_LINE_MAX + 1];

	if (c->rc != CA_OK)
		return 1;	/* keep the first error; inih may go on */
	snprintf(v, sizeof(v), "%s", value);
	if (strcmp(section, c->section) != 0) {
		snprintf(c->section, sizeof(c->section), "%s", section);
		c->have_prev = false;
	}
	/* inih joins an indented line to the previous key of the section
	 * and hands it over under that key's name. */
	c->continuation = c->indented && c->have_prev &&
	    strcmp(name, c->prev_name) == 0;
	c->have_prev = true;
	snprintf(c->prev_name, sizeof(c->prev_name), "%s", name);
	if (strcmp(section, "template") == 0)
		tmpl_key_set(c, name, tmpl_trim(v));
	else if (strcmp(section, "security") == 0) {
		bool deny = strcasecmp(name, "deny") == 0;
		struct tmpl_ace ace;
		char why[CA_WHY_MAX];

		if (!deny && strcasecmp(name, "allow") != 0)
			tmpl_perr(c, "unknown key \"%s\" in [security]: expected "
			    "allow or deny", name);
		else if (c->continuation)
			tmpl_perr(c, "%s: continuation lines are not allowed; "
			    "write one entry per line", name);
		else if (c->t->n_aces >= TMPL_ACE_MAX)
			tmpl_perr(c, "%s: more than %d entries in [security]",
			    name, TMPL_ACE_MAX);
		else if (template_parse_ace(tmpl_trim(v), deny, tmpl_right_names,
		    3, &ace, why, sizeof(why)) != CA_OK)
			tmpl_perr(c, "%s: %s", name, why);
		else
			c->t->aces[c->t->n_aces++] = ace;
	} else if (section[0] == '\0')
		tmpl_perr(c, "key \"%s\" outside a section: expected [template] "
		    "or [security] first", name);
	else
		tmpl_perr(c, "unknown section [%s]: expected [template] or "
		    "[security]", section);
	return c->rc == CA_OK ? 1 : 0;
}

/* See template.h. */
int
template_parse_buf(const char *name_for_errors, const char *text, size_t len,
    struct template *out, char *why, size_t whylen)
{
	struct tmpl_pctx c;
	unsigned eline, ecol;
	unsigned char ebyte;
	int ini_line;

	memset(&c, 0, sizeof(c));
	c.file = name_for_errors != NULL ? name_for_errors : "(buffer)";
	c.buf = text;
	c.len = len;
	c.t = out;
	c.why = why;
	c.whylen = whylen;
	template_defaults(out);
	if (len > TMPL_FILE_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "template %s: file larger than %d bytes", c.file,
		    TMPL_FILE_MAX);
	if (tmpl_utf8_check(text, len, &eline, &ecol, &ebyte) != 0) {
		if (ebyte == 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "template %s line %u: NUL byte at column %u "
			    "(a template file is UTF-8 text)", c.file, eline, ecol);
		return ca_why(why, whylen, CA_EPARSE,
		    "template %s line %u: not valid UTF-8 (byte 0x%02X at "
		    "column %u)", c.file, eline, ebyte, ecol);
	}
	ini_line = ini_parse_stream(pctx_reader, &c, pctx_handler, &c);
	if (ini_line < 0)
		return ca_why(why, whylen, CA_ENOMEM,
		    "template %s: parser out of memory", c.file);
	if (ini_line > 0 && (c.err_line == 0 || (unsigned)ini_line < c.err_line)) {
		bool last = (unsigned)ini_line == c.line && c.unterminated;

		if (last)
			return ca_why(why, whylen, CA_EPARSE,
			    "template %s line %d: file ends in the middle of a "
			    "line (truncated?)", c.file, ini_line);
		return ca_why(why, whylen, CA_EPARSE,
		    "template %s line %d: syntax error: expected \"key = value\", "
		    "\"[section]\" or a comment", c.file, ini_line);
	}
	if (c.rc != CA_OK)
		return c.rc;
	return tmpl_finish(&c);
}

/* See template.h. Reads at most TMPL_FILE_MAX + 1 bytes. */
int
template_parse_file(const char *path, struct template *out, char *why,
    size_t whylen)
{
	const char *base = strrchr(path, '/');
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	base = base != NULL ? base + 1 : path;
	template_defaults(out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ca_why(why, whylen, CA_EIO, "template %s: %s", path,
		    strerror(errno));
	buf = malloc(TMPL_FILE_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return ca_why(why, whylen, CA_ENOMEM, "template %s: out of memory",
		    base);
	}
	while (len < TMPL_FILE_MAX + 1 &&
	    (r = read(fd, buf + len, TMPL_FILE_MAX + 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = ca_why(why, whylen, CA_EIO, "template %s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)r;
	}
	rc = template_parse_buf(base, buf, len, out, why, whylen);
out:
	close(fd);
	free(buf);
	return rc;
}
