# A throwaway PostgreSQL cluster for the benches that need one (bench/queue.sh, bench/store.sh).
# Sourced; needs RIGOR set. `pg_cluster_setup NAME` checks the binaries, makes $WORK and removes
# both on exit; `pg_cluster_start [SERVER OPTIONS]` starts the cluster on 127.0.0.1:$PORT as the
# `postgres` user when run as root (PostgreSQL refuses root) and sets PGVERSION.
pg_cluster_setup() {
  [ -x "$RIGOR" ] || { echo "build rigor first: cargo build --release -p rigor-cli (or set RIGOR=)" >&2; exit 2; }
  RIGOR="$(readlink -f "$RIGOR")"
  BIN="$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")"
  [ -x "$BIN/pg_ctl" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 2; }
  WORK="$(mktemp -d "/tmp/rigor-bench-$1.XXXXXX")"
  chmod 755 "$WORK"
  AS=()
  [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
  PORT=$(( 20000 + RANDOM % 20000 ))
  trap pg_cluster_cleanup EXIT
}

pg_cluster_cleanup() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

pg_cluster_start() {
  echo "== PostgreSQL cluster on 127.0.0.1:$PORT"
  mkdir -p "$WORK/pg"
  [ ${#AS[@]} -gt 0 ] && chown -R postgres:postgres "$WORK/pg"
  "${AS[@]}" "$BIN/initdb" -A trust -U rigor -E UTF8 -D "$WORK/pg/data" >/dev/null
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PORT -k $WORK/pg -c listen_addresses=127.0.0.1 $*" start >/dev/null
  PGVERSION="$("$BIN/postgres" --version)"
}
