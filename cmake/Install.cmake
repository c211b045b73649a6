# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts where: the binary, the man pages and the shell completions, in the
# places each shell and man(1) look on Debian and RPM systems. tools/package.sh builds the
# .deb, .rpm, tarball and OCI image from one such install tree.
include(GNUInstallDirs)

install(TARGETS leura RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB LEURA_MAN1 CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/man/*.1)
file(GLOB LEURA_MAN5 CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/man/*.5)
install(FILES ${LEURA_MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${LEURA_MAN5} DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# bash-completion loads completions/<command> on demand; zsh's vendor folder is Debian's name
# for site-functions that packages own; fish reads vendor_completions.d.
set(LEURA_COMPLETIONS ${CMAKE_CURRENT_SOURCE_DIR}/completions)
install(FILES ${LEURA_COMPLETIONS}/leura.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME leura)
install(FILES ${LEURA_COMPLETIONS}/_leura DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${LEURA_COMPLETIONS}/leura.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# The sudoers rule a shared controller needs (service_user; docs/access.md), as an example the
# admin adapts: packages never grant sudo rights themselves.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/packaging/sudoers.example
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/leura)

# The minutely schedule tick of a shared controller (leura-schedule(1)) and the API server that
# ticks too (leura-serve(1)), as examples: the
# admin enables them; packages start nothing by themselves.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/packaging/systemd/leura-tick.service
              ${CMAKE_CURRENT_SOURCE_DIR}/packaging/systemd/leura-tick.timer
              ${CMAKE_CURRENT_SOURCE_DIR}/packaging/systemd/leura-serve.service
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/leura/systemd)
