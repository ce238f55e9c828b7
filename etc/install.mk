# etc/install.mk: what `make install` puts on a host besides the programs:
# the sample entcad.conf and templates (only where none exist yet, so a
# reinstall never overwrites an administrator's edits), the systemd unit,
# the sysusers.d and tmpfiles.d snippets, and the man pages. Paths inside
# them are the configured sysconfdir, localstatedir and sbindir, the same
# ones the programs were built with (AM_CPPFLAGS SYSCONFDIR, LOCALSTATEDIR).

entcaconfdir = $(sysconfdir)/entca
entcaexampledir = $(docdir)/examples
# The sample templates; built-in ones (User, Machine, ...) need no file.
ENTCA_SAMPLE_TEMPLATES = etc/templates/PKCSIntune.tmpl

dist_man_MANS = man/entcad.8 man/entca.8 man/entcad.conf.5 man/entca-template.5

ENTCA_SUBST = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g'

# Substituted at make time (not by configure) so that `make prefix=...`
# and DESTDIR installs name the right folders.
etc/systemd/entcad.service: etc/systemd/entcad.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && $(ENTCA_SUBST) $(srcdir)/etc/systemd/entcad.service.in > $@
etc/systemd/entca.sysusers: etc/systemd/entca.sysusers.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && $(ENTCA_SUBST) $(srcdir)/etc/systemd/entca.sysusers.in > $@
etc/systemd/entca.tmpfiles: etc/systemd/entca.tmpfiles.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && $(ENTCA_SUBST) $(srcdir)/etc/systemd/entca.tmpfiles.in > $@
# The sample configuration with this build's folders. Its pid-file is
# commented out: under systemd the unit tracks the process, and /run is
# read-only to it (ProtectSystem=strict).
etc/entcad.conf.sample: etc/entcad.conf Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && sed \
	    -e 's|/var/lib/entca|$(localstatedir)/lib/entca|g' \
	    -e 's|/etc/entca/|$(sysconfdir)/entca/|g' \
	    -e 's|^pid-file = |#pid-file = |' \
	    $(srcdir)/etc/entcad.conf > $@

ENTCA_GENERATED = etc/systemd/entcad.service etc/systemd/entca.sysusers \
	etc/systemd/entca.tmpfiles etc/entcad.conf.sample
noinst_DATA = $(ENTCA_GENERATED)
CLEANFILES += $(ENTCA_GENERATED)
EXTRA_DIST += etc/systemd/entcad.service.in etc/systemd/entca.sysusers.in \
	etc/systemd/entca.tmpfiles.in $(ENTCA_SAMPLE_TEMPLATES) \
	templates/README.md etc/install.mk

# Unit, snippets and examples: always the shipped version.
install-data-local: $(ENTCA_GENERATED)
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)' '$(DESTDIR)$(sysusersdir)' \
	    '$(DESTDIR)$(tmpfilesdir)' '$(DESTDIR)$(entcaexampledir)/templates'
	$(INSTALL_DATA) etc/systemd/entcad.service '$(DESTDIR)$(systemdsystemunitdir)/entcad.service'
	$(INSTALL_DATA) etc/systemd/entca.sysusers '$(DESTDIR)$(sysusersdir)/entca.conf'
	$(INSTALL_DATA) etc/systemd/entca.tmpfiles '$(DESTDIR)$(tmpfilesdir)/entca.conf'
	$(INSTALL_DATA) etc/entcad.conf.sample '$(DESTDIR)$(entcaexampledir)/entcad.conf'
	for t in $(ENTCA_SAMPLE_TEMPLATES); do \
	    $(INSTALL_DATA) "$(srcdir)/$$t" '$(DESTDIR)$(entcaexampledir)/templates/' || exit 1; \
	done

# Configuration and templates: copied only when absent, never overwritten.
# entcad.conf is 0640 (it names secrets' files and the rights model).
install-data-hook:
	$(MKDIR_P) '$(DESTDIR)$(entcaconfdir)/templates'
	@if [ -e '$(DESTDIR)$(entcaconfdir)/entcad.conf' ]; then \
	    echo "  keeping $(DESTDIR)$(entcaconfdir)/entcad.conf (sample in $(entcaexampledir))"; \
	else \
	    echo "  $(INSTALL_DATA) -m 0640 entcad.conf $(DESTDIR)$(entcaconfdir)/"; \
	    $(INSTALL_DATA) -m 0640 etc/entcad.conf.sample '$(DESTDIR)$(entcaconfdir)/entcad.conf' || exit 1; \
	fi
	@for t in $(ENTCA_SAMPLE_TEMPLATES); do \
	    f='$(DESTDIR)$(entcaconfdir)/templates/'$$(basename $$t); \
	    if [ -e "$$f" ]; then echo "  keeping $$f"; \
	    else $(INSTALL_DATA) "$(srcdir)/$$t" "$$f" || exit 1; fi; \
	done

# Uninstall removes configuration and templates only while unedited.
uninstall-local:
	rm -f '$(DESTDIR)$(systemdsystemunitdir)/entcad.service' \
	    '$(DESTDIR)$(sysusersdir)/entca.conf' '$(DESTDIR)$(tmpfilesdir)/entca.conf' \
	    '$(DESTDIR)$(entcaexampledir)/entcad.conf'
	for t in $(ENTCA_SAMPLE_TEMPLATES); do \
	    b=$$(basename $$t); \
	    rm -f '$(DESTDIR)$(entcaexampledir)/templates/'$$b; \
	    if cmp -s "$(srcdir)/$$t" '$(DESTDIR)$(entcaconfdir)/templates/'$$b; then \
	        rm -f '$(DESTDIR)$(entcaconfdir)/templates/'$$b; fi; \
	done
	if cmp -s etc/entcad.conf.sample '$(DESTDIR)$(entcaconfdir)/entcad.conf'; then \
	    rm -f '$(DESTDIR)$(entcaconfdir)/entcad.conf'; fi

# The Debian packaging travels in the tarball: dpkg-buildpackage runs in
# an unpacked release (tests/integration/debian_package.sh builds from
# `make distdir`).
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/entca.postinst debian/entca.postrm \
	debian/entca.docs

# A release holds every file git tracks (but git's and CI's own): a test
# script or a template left out of EXTRA_DIST fails `make dist` here,
# instead of failing later in someone's unpacked tarball. Outside a git
# checkout (distcheck's own dist, an unpacked release) there is nothing
# to compare with.
ENTCA_NOT_DISTRIBUTED = ^(\.gitignore|\.ci/|m4/\.keep|build-aux/\.keep)
dist-hook:
	@case '$(distdir)' in /*) dd='$(distdir)' ;; *) dd='$(abs_builddir)/$(distdir)' ;; esac; \
	if [ -e '$(top_srcdir)/.git' ] && command -v git >/dev/null; then \
	    missing=$$(cd '$(top_srcdir)' && git ls-files | \
	        grep -Ev '$(ENTCA_NOT_DISTRIBUTED)' | while read -r f; do \
	        [ -e "$$dd/$$f" ] || echo "$$f"; done); \
	    if [ -n "$$missing" ]; then \
	        echo "dist: tracked files missing from the tarball (add them to EXTRA_DIST):" >&2; \
	        echo "$$missing" | sed 's/^/  /' >&2; exit 1; \
	    fi; \
	fi

# Packaging checks: the release builds, installs and uninstalls from its
# tarball (make distcheck), and the .deb builds and passes lintian.
TESTS += tests/integration/distcheck.sh tests/integration/debian_package.sh
EXTRA_DIST += tests/integration/distcheck.sh tests/integration/debian_package.sh
