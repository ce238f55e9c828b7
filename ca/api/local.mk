# ca/api/local.mk: the management API under /api/v1/ (officer, admin and
# auditor actions). Only the router includes api.h.
libentca_ca_a_SOURCES += ca/api/api.c ca/api/api.h ca/api/api_int.h \
	ca/api/api_util.c ca/api/api_certs.c ca/api/api_requests.c \
	ca/api/api_audit.c ca/api/api_openapi.c ca/api/api_templates.c \
	ca/api/api_ca.c ca/api/api_confedit.c

# The OpenAPI document, embedded into the daemon as a C array.
nodist_libentca_ca_a_SOURCES += ca/api/openapi_json.h
BUILT_SOURCES += ca/api/openapi_json.h
CLEANFILES += ca/api/openapi_json.h
EXTRA_DIST += ca/api/openapi.json

ca/api/openapi_json.h: $(srcdir)/ca/api/openapi.json
	$(AM_V_GEN)$(MKDIR_P) ca/api && { \
	echo '/* Generated from ca/api/openapi.json: do not edit. */'; \
	echo 'static const unsigned char api_openapi_json[] = {'; \
	od -An -v -tx1 < $(srcdir)/ca/api/openapi.json | \
	sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	echo '0x00 };'; } > $@.tmp && mv $@.tmp $@

ca/api/api_openapi.$(OBJEXT): ca/api/openapi_json.h

# The route list the OpenAPI check compares with the document.
check_PROGRAMS += tests/integration/api_routes
TESTS += tests/integration/api_openapi.sh
EXTRA_DIST += tests/integration/api_openapi.sh

# Thousands of certificate records at once for the paging tests.
check_PROGRAMS += tests/integration/api_seed
TESTS += tests/integration/api_certs.sh
EXTRA_DIST += tests/integration/api_certs.sh
TESTS += tests/integration/api_tool.sh
EXTRA_DIST += tests/integration/api_tool.sh

check_PROGRAMS += tests/unit/ca/api/test_api_util
TESTS += tests/unit/ca/api/test_api_util
# Configuration edits answered only once entcad has them in force (the
# reload held open through tests/entcad-testhooks).
TESTS += tests/integration/api_conf_reload.sh
EXTRA_DIST += tests/integration/api_conf_reload.sh
