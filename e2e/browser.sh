#!/bin/sh
# Stands in for the system browser in end-to-end tests (xdg-open runs $BROWSER): it records the
# URL the app asked to open, for the test to play the person at the provider's consent page, and
# the environment the browser got from the app.
printf '%s\n' "$1" >> "${USERDESK_E2E_BROWSER_LOG:?}"
env > "$USERDESK_E2E_BROWSER_LOG.env"
