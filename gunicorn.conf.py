"""gunicorn settings for officials on slow, unreliable mobile connections.

Threaded workers: a phone sending a form or an upload chunk at 2G speed holds
one thread, not a whole process, and the worker keeps answering its health
checks meanwhile, so gunicorn does not kill it mid-upload as it does sync
workers after ``timeout``. In production put a buffering reverse proxy
(nginx with ``proxy_request_buffering on``) in front, so slow clients are
absorbed there, and set ``PAMONG_PROXY_COUNT=1``.
"""

import multiprocessing
import os

bind = os.environ.get("PAMONG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("PAMONG_THREADS", "16"))
timeout = 120
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
accesslog = None
