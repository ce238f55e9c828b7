# ca/daemon.mk: config, loop, workers, EST/API handlers, entcad and entca mains.
