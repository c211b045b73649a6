# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from Debian's packages. For the static build, find_library must pick
# the .a archives, and two Debian package configs are bypassed on purpose:
# - libssh's CMake config imports the shared library;
# - toml++'s config forces its shared-library mode (Debian ships no static toml++).
# See docs/libssh.md §2 for the recipe and its traps.
if(LEURA_STATIC)
  set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
  set(ZLIB_USE_STATIC_LIBS TRUE)
endif()

find_package(Threads REQUIRED)
# Crypto for libssh; SSL for `leura serve --tls-cert` (src/http/server.cpp).
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto SSL)
find_package(ZLIB REQUIRED)
find_package(CLI11 2.1 CONFIG REQUIRED)
# Header-only; only src/util/json*.cpp include it (its header is heavy to compile).
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
# Header-only Boost.Beast and Asio for `leura serve`; only src/http/server.cpp includes them.
find_package(Boost 1.81 REQUIRED)
find_package(PkgConfig REQUIRED)

# Minimum versions, checked against the installed .pc files.
pkg_check_modules(LIBSSH_PC REQUIRED libssh>=0.10.6)
pkg_check_modules(SQLITE_PC REQUIRED sqlite3>=3.40)
pkg_check_modules(ARCHIVE_PC REQUIRED libarchive>=3.6)
pkg_check_modules(ZSTD_PC REQUIRED libzstd>=1.5)
pkg_check_modules(TOMLPP_PC REQUIRED tomlplusplus>=3.3)

find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
find_library(SSH_LIB ssh REQUIRED)
find_library(SQLITE_LIB sqlite3 REQUIRED)
find_library(ARCHIVE_LIB archive REQUIRED)
find_library(ZSTD_LIB zstd REQUIRED)

add_library(leura_deps INTERFACE)
target_include_directories(leura_deps SYSTEM INTERFACE ${TOMLPP_INCLUDE_DIR} ${Boost_INCLUDE_DIRS})
# zstd: libarchive's, and the store's compressed previews (src/store/compression.cpp).
target_link_libraries(leura_deps INTERFACE CLI11::CLI11 nlohmann_json::nlohmann_json ${SSH_LIB} OpenSSL::SSL OpenSSL::Crypto ${SQLITE_LIB}
  ${ARCHIVE_LIB} ${ZSTD_LIB})

if(LEURA_STATIC)
  target_compile_definitions(leura_deps INTERFACE LIBSSH_STATIC=1)
  # libarchive.a needs its dependencies' archives on the line; --gc-sections then drops the
  # format writers (and with them libxml2 and ICU) that leura never calls.
  set(_archive_deps nettle acl lzma zstd lz4 bz2 xml2 icui18n icuuc icudata lzma)
  foreach(dep IN LISTS _archive_deps)
    find_library(${dep}_ARCHIVE ${dep} REQUIRED)
    target_link_libraries(leura_deps INTERFACE ${${dep}_ARCHIVE})
  endforeach()
  target_sources(leura_deps INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/src/ssh/gss_stub.c)
  # Hardened static link: -static-pie keeps ASLR for the one binary (Debian's gcc builds every
  # object, and Debian's .a archives, as PIE already), and full RELRO makes the relocated data
  # read-only before main. tests/bench/run.sh --leura-before measured it not to slow W1.
  target_link_options(leura_deps INTERFACE -static-pie -Wl,--gc-sections -Wl,-z,relro,-z,now)
  target_compile_definitions(leura_deps INTERFACE LEURA_STATIC_BUILD=1)
  target_link_libraries(leura_deps INTERFACE ZLIB::ZLIB Threads::Threads ${CMAKE_DL_LIBS} m)
else()
  target_link_libraries(leura_deps INTERFACE ZLIB::ZLIB Threads::Threads)
endif()
