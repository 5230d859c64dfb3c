#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (idempotent): Prometheus and promtool, curl, openssl,
# and Chromium with its chromedriver for the catalog page's browser tests (Operator.Tests/TestBed/Browser.cs).
set -euo pipefail
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
command -v node >/dev/null || missing+=(nodejs npm)
# The page's screenshots need a font; a server image may have none.
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "ensure-tools: apt-get install ${missing[*]}" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
