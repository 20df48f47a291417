"""gunicorn settings for officials on slow, unreliable mobile connections.

Threaded workers: a phone sending a form or an upload chunk at 2G speed holds
one thread, not a whole process, and the worker keeps answering its health
checks meanwhile, so gunicorn does not kill it mid-upload as it does sync
workers after ``timeout``.

A worker takes on only as many connections as it has threads
(``worker_connections = threads``). gthread hands every connection it accepts
straight to its thread pool; a worker whose threads are all held by slow
senders would otherwise go on accepting and park quick requests (the login
page, a wilayah list) behind uploads that last minutes, while another worker
sits idle. With the cap, a full worker stops accepting and the kernel gives
the next connection to a worker with a free thread. An idle kept-alive
connection would hold one of those places, so keep-alive is off
(``keepalive = 0``). ``tests/test_gunicorn.py`` shows more slow senders than one worker
has threads while the other pages are answered.

Capacity is ``workers * threads`` requests in flight (5 * 16 on two cores);
beyond that new connections wait in the listen backlog. A client that stops
sending in the middle of a request keeps its thread until TCP gives up, which
gthread cannot prevent. In production put a buffering reverse proxy (nginx
with ``proxy_request_buffering on``) in front, so slow and stalled clients are
absorbed there, and set ``PAMONG_PROXY_COUNT=1``.

Memory: an scrypt password hash needs 32 MB while it runs; a process runs
at most two at once (``pamong.accounts.passwords``), so a wave of sign-ups
waits a little instead of lifting each worker by ``threads * 32 MB``.

Rate limits must be shared by the workers: with the in-process default each
worker would count on its own and let through ``workers`` times the limit.
Several workers therefore refuse to start until ``RATELIMIT_STORAGE_URI``
is set (Redis), or set explicitly to ``memory://`` for a trial.

Listening on an address other than loopback requires ``PAMONG_PROXY_COUNT``
of at least 1: gunicorn has no timeout for reading request headers, so a
few dozen clients that send them slowly would hold every thread.

gunicorn's control socket (for ``gunicornc``) is opened only when
``PAMONG_CONTROL_SOCKET`` names a path: by default every instance on the host
would share ``~/.gunicorn/gunicorn.ctl``.
"""

import multiprocessing
import os

bind = os.environ.get("PAMONG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("PAMONG_THREADS", "16"))
worker_connections = threads
timeout = 120
graceful_timeout = 30
keepalive = 0
limit_request_line = 8190
limit_request_fields = 100
accesslog = None

control_socket_disable = "PAMONG_CONTROL_SOCKET" not in os.environ
if not control_socket_disable:
    control_socket = os.environ["PAMONG_CONTROL_SOCKET"]


def post_worker_init(worker) -> None:
    """Say when a worker has loaded the app and starts taking requests."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def on_starting(server) -> None:
    """Refuse set-ups that would fail the officials under load or attack.

    Several workers need shared rate limits; an address other than loopback
    needs the buffering proxy (``PAMONG_PROXY_COUNT``), since gunicorn alone
    lets a few dozen slow connections hold every thread.
    """
    direct = [
        address
        for address in server.cfg.bind
        if not address.startswith(("127.", "localhost", "[::1]", "unix:"))
    ]
    if direct and int(os.environ.get("PAMONG_PROXY_COUNT", "0") or 0) < 1:
        raise SystemExit(
            f"gunicorn would listen on {', '.join(direct)} without a proxy in "
            "front: put nginx (proxy_request_buffering on, client_header_timeout "
            "and client_body_timeout set) before it and set PAMONG_PROXY_COUNT=1."
        )
    if server.cfg.workers > 1 and not os.environ.get("RATELIMIT_STORAGE_URI"):
        raise SystemExit(
            "RATELIMIT_STORAGE_URI is not set: with several workers each would "
            "count rate limits on its own. Set it to redis://... (or to "
            "memory:// on purpose, for a trial)."
        )
