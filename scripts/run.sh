#!/usr/bin/env bash
# Starts the app binary given as $1 (further arguments are passed on), wrapping it so that it
# works on a machine without a display or without a D-Bus session bus.
set -euo pipefail

bin=${1:?usage: $0 BINARY [ARGS...]}
shift

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # The bus's services (portals, keyring) and Xvfb talk a lot on stderr: that goes to a log;
  # the app's own output stays here (fd 3 carries it past the redirection).
  log=${TMPDIR:-/tmp}/userdesk-headless-session.log
  echo "No display (\$DISPLAY and \$WAYLAND_DISPLAY are unset): running headless on a virtual"
  echo "X server inside its own session bus: dbus-run-session -- xvfb-run -a $bin"
  echo "Nothing will be visible; stop it with Ctrl-C. The bus's and Xvfb's messages go to $log."
  export NO_AT_BRIDGE=1 # no accessibility bus without a screen reader
  exec 3>&2
  exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' \
    sh -c 'exec "$0" "$@" 2>&3 3>&-' "$bin" "$@" 2>"$log"
fi

bus_socket=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/bus
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ ! -S "$bus_socket" ]; then
  echo "No D-Bus session bus: running inside dbus-run-session (single-instance and the keychain need one)."
  exec dbus-run-session -- "$bin" "$@"
fi

exec "$bin" "$@"
