# ca/api/local.mk: the management API under /api/v1/ (officer, admin and
# auditor actions). Only the router includes api.h.
libentca_ca_a_SOURCES += ca/api/api.c ca/api/api.h ca/api/api_read.c
