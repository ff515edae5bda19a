#!/usr/bin/env bash
# Copy the browser libraries from npm (package.json, package-lock.json) into
# static/vendor/, where the app serves them. Run after changing package.json;
# the copies are committed so that the demo and CI need no npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
dest=static/vendor
rm -rf "$dest"
mkdir -p "$dest"/{noble-ed25519,htmx,idb-keyval,qr-scanner,uplot}
cp node_modules/@noble/ed25519/index.js node_modules/@noble/ed25519/LICENSE "$dest/noble-ed25519/"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$dest/htmx/"
cp node_modules/idb-keyval/dist/index.js node_modules/idb-keyval/LICENCE "$dest/idb-keyval/" 2>/dev/null \
  || cp node_modules/idb-keyval/dist/index.js "$dest/idb-keyval/"
cp node_modules/qr-scanner/qr-scanner.min.js node_modules/qr-scanner/qr-scanner-worker.min.js \
  node_modules/qr-scanner/LICENSE "$dest/qr-scanner/"
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css \
  node_modules/uplot/LICENSE "$dest/uplot/"
node -e 'const l=require("./package-lock.json").packages;for(const[k,v]of Object.entries(l))if(k)console.log(k.replace("node_modules/",""),v.version)' > "$dest/VERSIONS.txt"
echo "vendored into $dest:"; cat "$dest/VERSIONS.txt"
