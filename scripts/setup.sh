#!/usr/bin/env bash
# Installs what newskg needs when it is missing, on Debian or Ubuntu, and says
# what it installs. Someone who cannot install (not root, no sudo) gets the
# exact commands to run, at once: before any compile.
#
#   build  a C/C++ compiler and libclang (Oxigraph's RocksDB is C++, compiled
#          by oxrocksdb-sys, whose build script runs bindgen, which loads
#          libclang: a missing libclang fails only at the end of a 15-minute
#          compile), and Graphviz's `dot` for the diagram;
#   test   the same, and what the tests run: rapper (raptor2-utils), Python's
#          rdflib, curl and the Oxigraph server (`oxigraph`, for the push tests).
#
# Usage: scripts/setup.sh build|test     (scripts/run.sh and scripts/test.sh
# source this file and call newskg_setup, so PATH changes reach cargo)

# Where the Oxigraph server goes when python3 is Debian's own (PEP 668 keeps
# pip out of /usr): a venv of its own, linked from /usr/local/bin.
NEWSKG_TOOLS=/opt/newskg-tools

newskg_say() { echo "newskg setup: $*" >&2; }
newskg_have() { command -v "$1" >/dev/null 2>&1; }

# Prints the libclang shared library that bindgen (clang-sys, runtime
# loading) would load, if there is one: with LIBCLANG_PATH set, only there;
# otherwise under `llvm-config --prefix`, LD_LIBRARY_PATH, LIBRARY_PATH and
# the system directories clang-sys searches. The names are clang-sys's:
# libclang.so, libclang-*.so, libclang.so.*, libclang-*.so.*, but not
# libclang-cpp.so.* (the C++ API library, which bindgen cannot use).
newskg_libclang() {
  local dirs=() d f only="" want_class=2
  [ "$(getconf LONG_BIT 2>/dev/null)" = 32 ] && want_class=1
  if [ -n "${LIBCLANG_PATH:-}" ]; then
    # A file (taken if its name is one of the patterns) or a directory.
    if [ -f "$LIBCLANG_PATH" ]; then only=$LIBCLANG_PATH; dirs=("$(dirname "$LIBCLANG_PATH")"); else dirs=("$LIBCLANG_PATH"); fi
  else
    local prefix old_nullglob
    if prefix=$("${LLVM_CONFIG_PATH:-llvm-config}" --prefix 2>/dev/null) && [ -n "$prefix" ]; then
      dirs+=("$prefix/bin" "$prefix/lib" "$prefix/lib64")
    fi
    local IFS=:
    for d in ${LD_LIBRARY_PATH:-} ${LIBRARY_PATH:-}; do [ -n "$d" ] && dirs+=("$d"); done
    unset IFS
    old_nullglob=$(shopt -p nullglob || true)
    shopt -s nullglob
    dirs+=(/usr/local/llvm*/lib* /usr/local/lib*/*/* /usr/local/lib*/* /usr/local/lib* /usr/lib*/*/* /usr/lib*/* /usr/lib*)
    eval "$old_nullglob"
  fi
  for d in "${dirs[@]}"; do
    [ -d "$d" ] || continue
    for f in "$d"/libclang.so "$d"/libclang-*.so "$d"/libclang.so.* "$d"/libclang-*.so.*; do
      case ${f##*/} in *-cpp.*) continue ;; esac
      [ -f "$f" ] || continue
      [ -z "$only" ] || [ "$f" -ef "$only" ] || continue
      # An ELF shared object of the machine's word size.
      [ "$(head -c 4 "$f" | od -An -c | tr -d ' \n')" = '177ELF' ] || continue
      [ "$(od -An -tu1 -j4 -N1 "$f" | tr -d ' ')" = "$want_class" ] || continue
      echo "$f"
      return 0
    done
  done
  return 1
}

# libclang parses RocksDB's C header, which includes <stddef.h>: that header
# is clang's own (its resource directory, libclang-common-N-dev on Debian),
# not the C library's. Found next to the library or in the usual places.
newskg_clang_headers() {
  local lib=$1 h
  for h in "$(dirname "$lib")"/clang/*/include/stddef.h "$(dirname "$(readlink -f "$lib")")"/clang/*/include/stddef.h \
           /usr/lib/llvm-*/lib/clang/*/include/stddef.h /usr/lib/clang/*/include/stddef.h /usr/local/lib/clang/*/include/stddef.h; do
    [ -f "$h" ] && return 0
  done
  return 1
}

# The python3 on PATH: "none", "system" (Debian's own, under /usr, not a
# venv: packages come from apt) or "other" (pyenv, a venv, conda…: pip).
newskg_python_kind() {
  newskg_have python3 || { echo none; return; }
  python3 -c 'import sys; print("system" if sys.prefix == sys.base_prefix == "/usr" else "other")' 2>/dev/null || echo none
}

newskg_oxigraph_ok() {
  { newskg_have oxigraph && oxigraph --version >/dev/null 2>&1; } || [ -x "$HOME/.cargo/bin/oxigraph" ]
}

# newskg_setup build|test: checks, installs what is missing (saying what),
# checks again; returns non-zero with the commands to run when it cannot.
newskg_setup() {
  local what=${1:-test}
  case $what in build|test) ;; *) newskg_say "usage: scripts/setup.sh build|test"; return 64 ;; esac
  export PATH="$PATH:$HOME/.cargo/bin"
  local apt=() why=() pip=() venv_oxigraph="" lib="" found=()

  # What the build needs.
  if newskg_have cc && newskg_have c++; then found+=("c++"); else apt+=(g++); why+=("g++ (the C/C++ compiler for RocksDB)"); fi
  if [ -n "${LIBCLANG_PATH:-}" ] && ! newskg_libclang >/dev/null; then
    newskg_say "LIBCLANG_PATH=$LIBCLANG_PATH holds no libclang shared library (libclang.so…), and bindgen looks only there when it is set: correct it or unset it."
    return 1
  fi
  if lib=$(newskg_libclang) && newskg_clang_headers "$lib"; then
    found+=("libclang ($lib)")
  else
    apt+=(libclang-dev); why+=("libclang-dev (libclang: bindgen generates RocksDB's Rust bindings with it)")
  fi
  if newskg_have dot; then found+=(dot); else apt+=(graphviz); why+=("graphviz (dot: the diagrams)"); fi

  # What the tests run.
  if [ "$what" = test ]; then
    if newskg_have rapper; then found+=(rapper); else apt+=(raptor2-utils); why+=("raptor2-utils (rapper: the export tests read every format back)"); fi
    if newskg_have curl; then found+=(curl); else apt+=(curl); why+=("curl (the server tests)"); fi
    local py
    py=$(newskg_python_kind)
    [ "$py" = none ] && { apt+=(python3); why+=("python3 (the tests' scripts)"); }
    if [ "$py" != none ] && python3 -c 'import rdflib' >/dev/null 2>&1; then
      found+=(rdflib)
    elif [ "$py" = other ]; then
      pip+=(rdflib)
    else
      apt+=(python3-rdflib); why+=("python3-rdflib (rdflib: the tests parse every export with it)")
    fi
    if newskg_oxigraph_ok; then
      found+=(oxigraph)
    elif [ "$py" = other ]; then
      pip+=(oxigraph)
    else
      # Debian's python3: a venv of its own (python3-venv) under $NEWSKG_TOOLS.
      venv_oxigraph=1
      if [ "$py" = none ] || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        apt+=(python3-venv); why+=("python3-venv (a venv for the Oxigraph server)")
      fi
    fi
  fi

  local need=""
  [ ${#apt[@]} -gt 0 ] || [ ${#pip[@]} -gt 0 ] || [ -n "$venv_oxigraph" ] && need=1
  if [ -z "$need" ]; then
    local list="" x
    for x in "${found[@]}"; do list="${list:+$list, }$x"; done
    newskg_say "found $list: nothing to install"
  else
    newskg_install || return
  fi

  # Check again, so that nothing long starts without them.
  local still=()
  { newskg_have cc && newskg_have c++; } || still+=("a C/C++ compiler (cc, c++)")
  { lib=$(newskg_libclang) && newskg_clang_headers "$lib"; } || still+=("libclang with clang's headers")
  newskg_have dot || still+=("dot")
  if [ "$what" = test ]; then
    newskg_have rapper || still+=("rapper")
    newskg_have curl || still+=("curl")
    python3 -c 'import rdflib' >/dev/null 2>&1 || still+=("rdflib for python3 ($(command -v python3 || echo none))")
    newskg_oxigraph_ok || still+=("oxigraph")
  fi
  if [ ${#still[@]} -gt 0 ]; then
    newskg_say "still missing after installing: ${still[*]}"
    return 1
  fi
  if ! newskg_have cargo; then
    newskg_say "cargo is missing: install Rust (https://rustup.rs: curl --proto '=https' -sSf https://sh.rustup.rs | sh), then run this command again."
    return 1
  fi
}

# The commands that install newskg_setup's lists (as root).
newskg_apt_cmd() { echo "apt-get update && apt-get install -y --no-install-recommends ${apt[*]}"; }
newskg_venv_cmd() {
  echo "/usr/bin/python3 -m venv $NEWSKG_TOOLS && $NEWSKG_TOOLS/bin/pip install --quiet oxigraph && ln -sf $NEWSKG_TOOLS/bin/oxigraph /usr/local/bin/oxigraph"
}

# Says what is missing and why.
newskg_missing() {
  local w
  newskg_say "missing:"
  for w in "${why[@]}"; do echo "    $w" >&2; done
  [ -z "$venv_oxigraph" ] || echo "    oxigraph (the Oxigraph server, for the push tests; a prebuilt wheel from PyPI)" >&2
  [ ${#pip[@]} -eq 0 ] || echo "    ${pip[*]} (for $(command -v python3), from PyPI)" >&2
}

# Installs newskg_setup's lists, saying what; or, when this user cannot,
# stops with the commands to run.
newskg_install() {
  local root=() ok="" cmds=() c
  [ ${#apt[@]} -eq 0 ] || cmds+=("$(newskg_apt_cmd)")
  [ -z "$venv_oxigraph" ] || cmds+=("$(newskg_venv_cmd)")
  if [ ${#cmds[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      ok=1
    elif newskg_have sudo && { sudo -n true 2>/dev/null || { [ -t 0 ] && newskg_say "sudo, to install: ${apt[*]}${venv_oxigraph:+ oxigraph}" && sudo -v; }; }; then
      ok=1; root=(sudo)
    fi
    if ! newskg_have apt-get; then
      newskg_missing
      newskg_say "there is no apt-get here: install them with this system's package manager, then run this command again."
      return 1
    fi
    if [ -z "$ok" ]; then
      newskg_missing
      if newskg_have sudo; then
        newskg_say "this user cannot install them (not root, and sudo did not work). Run:"
        for c in "${cmds[@]}"; do echo "    sudo sh -c '$c'" >&2; done
      else
        local joined=""
        for c in "${cmds[@]}"; do joined="${joined:+$joined && }$c"; done
        newskg_say "this user cannot install them (not root, no sudo). Run, as root:"
        echo "    su -c '$joined'" >&2
      fi
      [ ${#pip[@]} -eq 0 ] || echo "    python3 -m pip install ${pip[*]}" >&2
      newskg_say "then run this command again."
      return 1
    fi
  fi
  if [ ${#apt[@]} -gt 0 ]; then
    local w
    newskg_say "installing with apt-get:"
    for w in "${why[@]}"; do echo "    $w" >&2; done
    "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update || return
    "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${apt[@]}" || return
  fi
  if [ ${#pip[@]} -gt 0 ]; then
    newskg_say "installing with pip, for $(command -v python3): ${pip[*]}"
    python3 -m pip install --quiet "${pip[@]}" || return
    if newskg_have pyenv; then pyenv rehash 2>/dev/null || true; fi
    # The server's binary lands in the interpreter's scripts directory.
    local scripts
    scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    if ! newskg_oxigraph_ok && [ -x "$scripts/oxigraph" ]; then
      newskg_say "oxigraph is in $scripts, which is not on PATH: added to PATH for this run"
      export PATH="$scripts:$PATH"
    fi
  fi
  if [ -n "$venv_oxigraph" ]; then
    newskg_say "installing the Oxigraph server (oxigraph, a prebuilt wheel from PyPI) into $NEWSKG_TOOLS, linked from /usr/local/bin/oxigraph"
    "${root[@]}" sh -c "$(newskg_venv_cmd)" || return
    hash -r
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  newskg_setup "$@"
fi
