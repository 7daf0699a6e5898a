#!/usr/bin/env bash
# Installs Veil's build and test dependencies from Debian 12 packages.
# Idempotent: asks apt only for packages that are missing, so a second run is a no-op.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libpoco-dev libyaml-cpp-dev libssl-dev libspdlog-dev libfmt-dev libasio-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  binutils openssl curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# The end-to-end tests drive the server with the official `openai` npm client. Any Node.js with npm
# will do (this machine image may already have one outside dpkg); otherwise Debian's.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
