"""``python -m dashboard.serve --processes 2 --port 8501``: N app processes behind HAProxy, scenarios in
PostgreSQL, until Ctrl-C.

Database: ``ATLAS_DB_URL`` when set; otherwise a PostgreSQL cluster on loopback kept in var/postgres (created
on first use); without PostgreSQL binaries, the SQLite file (safe for processes on one machine: WAL and a 5 s
lock wait), said in one line. A proxy that cannot start gives one line and exit status 1; ``make run`` (one
process, no proxy) works regardless.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from dashboard.serve import cluster, pg, proxy

VAR = cluster.ROOT / "var"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", "-n", type=int, default=os.cpu_count() or 1, help="app processes (default: one per core)")
    ap.add_argument("--port", type=int, default=8501, help="the proxy's port on 127.0.0.1 (the one users open)")
    args = ap.parse_args(argv)
    if not 1 <= args.processes <= 32:
        print("serve: --processes must be between 1 and 32", file=sys.stderr)
        return 2
    try:
        proxy.binary()
    except proxy.ProxyUnavailable as e:
        print(f"serve: {e}", file=sys.stderr)
        return 1
    if not proxy.port_free(args.port):
        print(f"serve: port {args.port} on 127.0.0.1 is taken: choose another with PORT=... (or stop what uses it)",
              file=sys.stderr)
        return 1
    db_url = os.environ.get("ATLAS_DB_URL", "").strip() or None
    server = None
    if db_url is None:
        try:
            server = pg.start(VAR / "postgres")
            db_url = server.url
            print(f"serve: scenarios in PostgreSQL {db_url} (cluster in {VAR / 'postgres'})")
        except pg.PgUnavailable as e:
            print(f"serve: {e}; scenarios stay in the SQLite file (ATLAS_DB_PATH)")
    try:
        c = cluster.start(args.processes, args.port, VAR / "proxy", db_url)
    except (proxy.ProxyUnavailable, RuntimeError) as e:
        print(f"serve: {e}", file=sys.stderr)
        if server is not None:
            server.stop()
        return 1
    print(f"serve: {args.processes} app process(es) on ports {', '.join(map(str, c.app_ports))} behind haproxy: "
          f"open {c.url}  (Ctrl-C stops)")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            if c.proxy.poll() is not None:
                print(f"serve: haproxy exited with {c.proxy.returncode}", file=sys.stderr)
                break
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
