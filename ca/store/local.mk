# ca/store/local.mk: owned by the store work; adds to libentca_ca.a and its tests.
# The store: LMDB environment, record codec, writer thread with group
# commit, typed records, index walks and hot backup.
libentca_ca_a_SOURCES += ca/store/store.h ca/store/store_int.h ca/store/store.c \
	ca/store/store_txn.c ca/store/store_codec.c ca/store/store_writer.c ca/store/store_meta.c \
	ca/store/store_request.c ca/store/store_cert.c ca/store/store_iter.c \
	ca/store/store_query.c
libentca_ca_a_SOURCES += ca/store/store_delete.c ca/store/store_lock.c
# SCEP challenges and transactions (issue 17).
libentca_ca_a_SOURCES += ca/store/store_scep.c ca/store/store_scep.h

check_PROGRAMS += tests/unit/ca/store/test_store
TESTS += tests/unit/ca/store/test_store
tests_unit_ca_store_test_store_SOURCES = tests/unit/ca/store/test_store.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/ca/store/test_store_cert
TESTS += tests/unit/ca/store/test_store_cert
tests_unit_ca_store_test_store_cert_SOURCES = tests/unit/ca/store/test_store_cert.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_cert_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_cert_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/ca/store/test_store_writer
TESTS += tests/unit/ca/store/test_store_writer
tests_unit_ca_store_test_store_writer_SOURCES = tests/unit/ca/store/test_store_writer.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_writer_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_writer_LDADD = $(TEST_LDADD)

# Group commit versus one commit per put, and the full-CRL walk (not in
# make check): ./tests/bench/bench_store [-n puts] [-k threads] [-r revoked]
noinst_PROGRAMS += tests/bench/bench_store
tests_bench_bench_store_SOURCES = tests/bench/bench_store.c
tests_bench_bench_store_LDADD = libentca_ca.a libentca_common.a \
	$(LMDB_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/ca/store/test_store_hostile
TESTS += tests/unit/ca/store/test_store_hostile
tests_unit_ca_store_test_store_hostile_SOURCES = tests/unit/ca/store/test_store_hostile.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_hostile_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_hostile_LDADD = $(TEST_LDADD)

# Issue 11: the map grows when full, up to [store] max-size.
check_PROGRAMS += tests/unit/ca/store/test_store_grow
TESTS += tests/unit/ca/store/test_store_grow
tests_unit_ca_store_test_store_grow_SOURCES = tests/unit/ca/store/test_store_grow.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_grow_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_grow_LDADD = $(TEST_LDADD)
# Audit events that are not requests (CRLs, templates, reloads; issue 14).
libentca_ca_a_SOURCES += ca/store/store_audit.c ca/store/store_audit.h

# Issue 15: the by_issued index, its paging and the schema 1 -> 2 migration.
check_PROGRAMS += tests/unit/ca/store/test_store_query
TESTS += tests/unit/ca/store/test_store_query
tests_unit_ca_store_test_store_query_SOURCES = tests/unit/ca/store/test_store_query.c tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_query_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_query_LDADD = $(TEST_LDADD)

# store_w_delete_cert / store_w_delete_request (entca db cleanup).
check_PROGRAMS += tests/unit/ca/store/test_store_delete
TESTS += tests/unit/ca/store/test_store_delete
tests_unit_ca_store_test_store_delete_SOURCES = tests/unit/ca/store/test_store_delete.c \
	tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_delete_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_delete_LDADD = $(TEST_LDADD)
# Idle page release of the LMDB map (issue 18).
libentca_ca_a_SOURCES += ca/store/store_trim.c
# bench_store -c publishes a CRL through a signer process (crlpub_publish).
tests_bench_bench_store_LDADD += $(ENTCA_LIBS)
# The packed CRL index, schema 3 (issue 18).
libentca_ca_a_SOURCES += ca/store/store_crlidx.c

# The CRL index against a model, its migration and a damaged chunk.
check_PROGRAMS += tests/unit/ca/store/test_store_crlidx
TESTS += tests/unit/ca/store/test_store_crlidx
tests_unit_ca_store_test_store_crlidx_SOURCES = tests/unit/ca/store/test_store_crlidx.c \
	tests/unit/ca/store/test_store_util.h
tests_unit_ca_store_test_store_crlidx_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_store_test_store_crlidx_LDADD = $(TEST_LDADD)
