# Sourced by run.sh and test.sh: installs the SPA's build and test tools when missing, from
# the package registries only (nothing downloads binaries at build time), at the exact
# versions Trunk.toml and client/Cargo.toml pin. Quick when everything is already there.

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130

ensure_wasm_target() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        rustup target add wasm32-unknown-unknown
    fi
}

# trunk builds client/ into dist/; wasm-bindgen-cli also brings wasm-bindgen-test-runner.
ensure_wasm_tools() {
    ensure_wasm_target
    if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
        # 0.22 needs a newer rustc than this toolchain.
        cargo install --locked trunk --version "$TRUNK_VERSION"
    fi
    if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
        # Not --locked: its lockfile names a webpki-roots release the registry mirror lacks.
        cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    fi
}

# wasm-opt (npm binaryen; Debian's is too old for wasm-bindgen's output) and Playwright,
# which never downloads a browser here: the tests drive Debian's chromium. The Node
# tooling lives in e2e/ (its package.json, lock file and Playwright configuration).
ensure_npm_packages() {
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
        npm ci --prefix e2e --no-audit --no-fund
    fi
    export PATH="$PWD/e2e/node_modules/.bin:$PATH"
    export NODE_PATH="$PWD/e2e/node_modules"
}

# The Playwright suite in e2e/ (arguments pass through, e.g. `-g French`).
run_e2e() {
    (cd e2e && npx playwright test "$@")
}

# The same tests with two instances behind a private nginx (see e2e/server.js).
run_e2e_behind_nginx() {
    (export E2E_BEHIND_NGINX=1 && run_e2e "$@")
}

ensure_chromium() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        apt-get update -qq
        apt-get install -y -qq chromium chromium-driver
    fi
}

# The release build of the SPA into dist/, with wasm-opt, plus a gzip copy of each asset
# for browsers that accept it. Two bundles of the same app: index.html's without the admin
# console (what students and teachers load) and admin.html's with it (the `admin` feature,
# served for admin routes). Trunk replaces its whole dist folder, so admin.html is built
# aside first and its page and bundle are copied in after.
build_spa() {
    cargo fetch --locked
    local admin_dist="target/spa-admin"
    trunk build --release --offline=true --dist "$admin_dist" client/admin.html
    trunk build --release --offline=true
    cp "$admin_dist/index.html" dist/admin.html
    cp "$admin_dist"/*.wasm "$admin_dist"/*.js dist/
    for asset in dist/*.wasm dist/*.js dist/*.css; do
        gzip -9 --keep --force "$asset"
    done
}

# Everything the SPA's build and browser tests need.
ensure_spa_tools() {
    ensure_wasm_tools
    ensure_npm_packages
    ensure_chromium
}
