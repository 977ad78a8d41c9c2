#!/usr/bin/env bash
# Installs the Debian packages the project needs when some are missing (idempotent, quick when
# all are there): Pango for WeasyPrint (the report's PDF), DejaVu fonts (French accents and
# typography), Chromium and its driver for the browser tests.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium chromium-driver)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Paquets système manquants : ${missing[*]} ; installation…"
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
  echo "Installez-les (apt-get install ${missing[*]}) : droits administrateur nécessaires." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >/dev/null
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
