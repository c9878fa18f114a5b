# scripts/install.mk - `make install` and `make uninstall` (included by the
# top Makefile; the directories PREFIX, BINDIR, LIBDIR, INCLUDEDIR, DATADIR,
# MANDIR, PYTHONDIR are defined there, DESTDIR stages the whole tree).
#
# Installed: include/layerfab.h; liblayerfab.a; liblayerfab.so.M.m.p with
# the links liblayerfab.so.M (soname) and liblayerfab.so; pkgconfig/
# layerfab.pc; cmake/layerfab/layerfab{Config,ConfigVersion}.cmake; the
# tools; DATADIR/layerfab/bitstreams/*.xclbin; MANDIR/man1/layerfab.1; the
# Python package PYTHONDIR/layerfab. `make uninstall` with the same
# variables removes every one of them (tests/install/run.sh checks that
# nothing is left).
#
# The library finds its bitstreams in DATADIR/layerfab/bitstreams through a
# path compiled into it (hostlib/module.mk): `make install` builds `all`
# first, which rebuilds whatever embeds that path when PREFIX or DATADIR
# differs from the last build.

# pkg-config: the libraries that ship a .pc file go to Requires.private
# (-lprotobuf-c: libprotobuf-c, -lexpat: expat, -lpci: libpci, -lz: zlib);
# the rest stays in Libs.private. Neither OpenCL nor XRT is there: the
# backends dlopen libOpenCL.so.1 / libxrt_coreutil.so.2 at first use
# (driver/core/dynlib.c), so a static link needs only -ldl for them.
LF_PC_MAP := -lprotobuf-c:libprotobuf-c -lexpat:expat -lpci:libpci -lz:zlib
lf_pc_flag = $(word 1,$(subst :, ,$(1)))
lf_pc_name = $(word 2,$(subst :, ,$(1)))
LF_PC_REQUIRES := $(strip $(foreach m,$(LF_PC_MAP),$(if $(filter \
	$(call lf_pc_flag,$(m)),$(LIB_LDLIBS)),$(call lf_pc_name,$(m)))))
LF_PC_LIBS_PRIVATE := $(strip $(filter-out \
	$(foreach m,$(LF_PC_MAP),$(call lf_pc_flag,$(m))),$(LIB_LDLIBS)) \
	$(LDLIBS_ALL))
# CMake's static target: every library, as names (no -l).
space := $(subst ,, )
LF_CMAKE_STATIC_LIBS := $(subst $(space),;,$(strip $(patsubst -l%,%, \
	$(LIB_LDLIBS) $(LDLIBS_ALL))))
D := $(DESTDIR)
LF_PY_SRCS := $(wildcard python/layerfab/*.py)

lf_subst = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(LF_VERSION)|g' \
	-e 's|@MAJOR@|$(LF_VERSION_MAJOR)|g' -e 's|@ABI@|$(LF_ABI)|g' \
	-e 's|@LIBDIR@|$(I_LIBDIR)|g' \
	-e 's|@INCLUDEDIR@|$(I_INCLUDEDIR)|g' -e 's|@DATADIR@|$(I_DATADIR)|g' \
	-e 's|@SO_REAL@|$(notdir $(LIB_SO_REAL))|g' \
	-e 's|@SONAME@|$(LIB_SONAME)|g' \
	-e 's|@REQUIRES_PRIVATE@|$(LF_PC_REQUIRES)|g' \
	-e 's|@LIBS_PRIVATE@|$(LF_PC_LIBS_PRIVATE)|g' \
	-e 's|@STATIC_LIBS@|$(LF_CMAKE_STATIC_LIBS)|g'

install: all
	install -d $(D)$(I_INCLUDEDIR) $(D)$(I_LIBDIR)/pkgconfig \
		$(D)$(I_LIBDIR)/cmake/layerfab $(D)$(I_BINDIR) \
		$(D)$(I_DATADIR)/layerfab/bitstreams $(D)$(I_MANDIR)/man1 \
		$(D)$(I_PYTHONDIR)/layerfab
	install -m 644 include/layerfab.h $(D)$(I_INCLUDEDIR)/
	install -m 644 $(LIB_A) $(D)$(I_LIBDIR)/
	install -m 755 $(LIB_SO_REAL) $(D)$(I_LIBDIR)/
	ln -sf $(notdir $(LIB_SO_REAL)) $(D)$(I_LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(D)$(I_LIBDIR)/liblayerfab.so
	$(lf_subst) scripts/layerfab.pc.in > $(D)$(I_LIBDIR)/pkgconfig/layerfab.pc
	$(lf_subst) cmake/layerfabConfig.cmake.in \
		> $(D)$(I_LIBDIR)/cmake/layerfab/layerfabConfig.cmake
	$(lf_subst) cmake/layerfabConfigVersion.cmake.in \
		> $(D)$(I_LIBDIR)/cmake/layerfab/layerfabConfigVersion.cmake
	for t in $(TOOLS); do install -m 755 $$t $(D)$(I_BINDIR)/; done
	for b in $(BITSTREAMS); do install -m 644 $$b \
		$(D)$(I_DATADIR)/layerfab/bitstreams/; done
	$(lf_subst) man/layerfab.1 > $(D)$(I_MANDIR)/man1/layerfab.1
	$(if $(LF_PY_SRCS),install -m 644 $(LF_PY_SRCS) \
		$(D)$(I_PYTHONDIR)/layerfab/)
	printf '%s\n' '# Written by make install: where liblayerfab is.' \
		'LIBDIR = "$(I_LIBDIR)"' 'SONAME = "$(LIB_SONAME)"' \
		> $(D)$(I_PYTHONDIR)/layerfab/_install.py

# Only what install wrote; directories shared with other software (bin,
# lib, pkgconfig, man1, ...) stay, the ones that are layerfab's go.
uninstall:
	rm -f $(D)$(I_INCLUDEDIR)/layerfab.h $(D)$(I_LIBDIR)/liblayerfab.a \
		$(D)$(I_LIBDIR)/$(notdir $(LIB_SO_REAL)) \
		$(D)$(I_LIBDIR)/$(LIB_SONAME) $(D)$(I_LIBDIR)/liblayerfab.so \
		$(D)$(I_LIBDIR)/pkgconfig/layerfab.pc \
		$(D)$(I_MANDIR)/man1/layerfab.1 \
		$(addprefix $(D)$(I_BINDIR)/,$(notdir $(TOOLS)))
	rm -rf $(D)$(I_LIBDIR)/cmake/layerfab $(D)$(I_DATADIR)/layerfab \
		$(D)$(I_PYTHONDIR)/layerfab
