# A throwaway PostgreSQL cluster for the bench scripts (bench/batch.sh, bench/intake-stores.sh);
# sourced, not run. pg_start NAME makes one under /tmp/NAME.XXXX, on a random 127.0.0.1 port, with
# the default settings but the address, and sets pg_bin, pg_dir and pg_port; pg_stop stops it and
# removes its folder (call it from the script's exit trap). Run as root: the server runs as postgres.

pg_dir="${pg_dir:-}"; pg_bin="${pg_bin:-}"; pg_port="${pg_port:-}"

pg_start() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_dir=$(mktemp -d "/tmp/$1.XXXX"); chown postgres "$pg_dir"
  pg_port=$(( 20000 + RANDOM % 20000 ))
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  pg_ctl_start
}

pg_ctl_start() { # (again) on the same folder and port
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
}

pg_stop() {
  if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -z "$pg_dir" ] || rm -rf "$pg_dir"
}
