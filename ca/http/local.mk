# ca/http/local.mk: owned by the http work; adds to libentca_ca.a and its tests.
# The HTTPS/1.1 server (GnuTLS over libevent), its parser and helpers, and
# base64 (shared with EST).
libentca_ca_a_SOURCES += \
	ca/http/tls.c ca/http/tls.h \
	ca/http/http.h ca/http/http_internal.h \
	ca/http/http_parse.c ca/http/http_parse.h \
	ca/http/http_util.c ca/http/http_util.h \
	ca/http/http_conn.c ca/http/http_response.c ca/http/http_server.c

check_PROGRAMS += tests/unit/ca/http/test_http_parse tests/unit/ca/http/test_http_util \
	tests/unit/ca/http/test_http_server tests/unit/ca/http/http_echo
TESTS += tests/unit/ca/http/test_http_parse tests/unit/ca/http/test_http_util \
	tests/unit/ca/http/test_http_server

TESTS += tests/integration/http_server.sh
EXTRA_DIST += tests/integration/http_server.sh tests/integration/tls_midconn.py

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_http_parse
tests_fuzz_fuzz_http_parse_SOURCES = tests/fuzz/fuzz_http_parse.c
tests_fuzz_fuzz_http_parse_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_http_parse_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_http_parse_LDADD = $(ENTCA_LIBS)
endif
