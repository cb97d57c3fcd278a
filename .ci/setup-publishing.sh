#!/usr/bin/env bash
# What the publishing tests need on a fresh Debian 12 machine, as root:
#   - Debian's chromium, driven by Playwright in tests/test_docs.py (never `playwright install`);
#   - Virtuoso (virtuoso-opensource), started on loopback with its own virtuoso.ini, for the Graph Store
#     and SPARQL tests in tests/test_publish.py;
#   - axe-core from npm (Debian's npm), injected into the site's pages by tests/test_docs.py to check WCAG 2.1 AA.
# Idempotent: packages already there are not reinstalled, a Virtuoso already answering is reused.
#
# Source it from bash so that the variables reach the tests:   . .ci/setup-publishing.sh
# or, from any sh (make's recipes):   eval "$(bash .ci/setup-publishing.sh)"
# (run as a script it does the same work, logs to stderr and prints only the exports to stdout).
#
#   WSIS_KG_VIRTUOSO_URL       http://127.0.0.1:8890 (the base: /sparql and /sparql-graph-crud-auth below it)
#   WSIS_KG_VIRTUOSO_USER      dba
#   WSIS_KG_VIRTUOSO_PASSWORD  dba (Debian's Virtuoso keeps this default on a new database)
#   WSIS_KG_CHROMIUM           /usr/bin/chromium
#   WSIS_KG_AXE                axe.min.js of axe-core 4.x

wsis_kg_setup_publishing() {
    local dir="${WSIS_KG_VIRTUOSO_DIR:-/var/lib/wsis-kg-virtuoso}"
    local http_port="${WSIS_KG_VIRTUOSO_HTTP_PORT:-8890}"
    local sql_port="${WSIS_KG_VIRTUOSO_SQL_PORT:-1111}"
    local t0=$SECONDS
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    if ((${#missing[@]})); then
        echo "setup-publishing: apt-get install ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || return 1
    fi
    local node_dir="${WSIS_KG_NODE_DIR:-/var/lib/wsis-kg-node}"
    if [[ ! -f "$node_dir/node_modules/axe-core/axe.min.js" ]]; then
        echo "setup-publishing: npm install axe-core@4 into $node_dir" >&2
        npm install --silent --no-audit --no-fund --prefix "$node_dir" "axe-core@4" >&2 || return 1
    fi
    echo "setup-publishing: packages ready after $((SECONDS - t0)) s" >&2

    if ! (exec 3<>"/dev/tcp/127.0.0.1/${http_port}") 2>/dev/null; then
        mkdir -p "$dir"
        cat >"$dir/virtuoso.ini" <<EOF
; Virtuoso for the wsis-kg tests: loopback only, its own database folder, no row cap below our data.
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:${sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., $dir, /usr/share/virtuoso-opensource-7/vad
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000

[HTTPServer]
ServerPort           = 127.0.0.1:${http_port}
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8

[SPARQL]
; the default, 10000, silently truncates larger results
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 120
MaxQueryCostEstimationTime = 400
EOF
        echo "setup-publishing: starting Virtuoso on 127.0.0.1:${http_port} (data in $dir)" >&2
        (cd "$dir" && virtuoso-t -c "$dir/virtuoso.ini" +wait) >"$dir/start.log" 2>&1 || {
            echo "setup-publishing: Virtuoso did not start:" >&2
            tail -20 "$dir/start.log" "$dir/virtuoso.log" >&2
            return 1
        }
        local i
        for i in $(seq 1 120); do
            (exec 3<>"/dev/tcp/127.0.0.1/${http_port}") 2>/dev/null && break
            sleep 0.5
        done
        if ! (exec 3<>"/dev/tcp/127.0.0.1/${http_port}") 2>/dev/null; then
            echo "setup-publishing: Virtuoso does not answer on port ${http_port}" >&2
            tail -20 "$dir/virtuoso.log" >&2
            return 1
        fi
    else
        echo "setup-publishing: Virtuoso already answers on 127.0.0.1:${http_port}" >&2
    fi
    echo "setup-publishing: ready after $((SECONDS - t0)) s" >&2

    export WSIS_KG_VIRTUOSO_URL="http://127.0.0.1:${http_port}"
    export WSIS_KG_VIRTUOSO_USER="dba"
    export WSIS_KG_VIRTUOSO_PASSWORD="dba"
    export WSIS_KG_CHROMIUM="/usr/bin/chromium"
    export WSIS_KG_AXE="$node_dir/node_modules/axe-core/axe.min.js"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    wsis_kg_setup_publishing
    printf 'export %s=%q\n' WSIS_KG_VIRTUOSO_URL "$WSIS_KG_VIRTUOSO_URL" WSIS_KG_VIRTUOSO_USER "$WSIS_KG_VIRTUOSO_USER" \
        WSIS_KG_VIRTUOSO_PASSWORD "$WSIS_KG_VIRTUOSO_PASSWORD" WSIS_KG_CHROMIUM "$WSIS_KG_CHROMIUM" \
        WSIS_KG_AXE "$WSIS_KG_AXE"
else
    wsis_kg_setup_publishing
fi
