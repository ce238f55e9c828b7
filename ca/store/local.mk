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

# Unit tests: records, certificates, the writer, hostile records, the map
# growing when full up to [store] max-size (issue 11), the by_issued index
# with its paging and the schema 1 -> 2 migration (issue 15), and
# store_w_delete_cert / store_w_delete_request (entca db cleanup).
STORE_UNIT_TESTS = tests/unit/ca/store/test_store tests/unit/ca/store/test_store_cert \
	tests/unit/ca/store/test_store_writer tests/unit/ca/store/test_store_hostile \
	tests/unit/ca/store/test_store_grow tests/unit/ca/store/test_store_query \
	tests/unit/ca/store/test_store_delete tests/unit/ca/store/test_store_crlidx
check_PROGRAMS += $(STORE_UNIT_TESTS)
TESTS += $(STORE_UNIT_TESTS)
noinst_HEADERS += tests/unit/ca/store/test_store_util.h

# Group commit versus one commit per put, and the full-CRL walk (not in
# make check): ./tests/bench/bench_store [-n puts] [-k threads] [-r revoked]
noinst_PROGRAMS += tests/bench/bench_store
tests_bench_bench_store_SOURCES = tests/bench/bench_store.c
tests_bench_bench_store_LDADD = libentca_ca.a libentca_common.a \
	$(LMDB_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)
# Audit events that are not requests (CRLs, templates, reloads; issue 14).
libentca_ca_a_SOURCES += ca/store/store_audit.c ca/store/store_audit.h
# Idle page release of the LMDB map (issue 18).
libentca_ca_a_SOURCES += ca/store/store_trim.c
# bench_store -c publishes a CRL through a signer process (crlpub_publish).
tests_bench_bench_store_LDADD += $(ENTCA_LIBS)
# The packed CRL index, schema 3 (issue 18); test_store_crlidx checks it
# against a model (migration, a damaged chunk).
libentca_ca_a_SOURCES += ca/store/store_crlidx.c
# splitmix64 for the serials of test_store_crlidx, bench_store and bench_crl.
noinst_HEADERS += tests/unit/test_mix.h
