# tests/: integration scripts (TAP), shared by all folders.
