"""A background thread in each web process that empties the outbox.

It wakes when a transaction that queued mail commits, and otherwise polls, so
mail left by another process or by a failed attempt still goes out. Woken, it
first lets the request that queued the mail finish answering, so that answer
is not slowed (and made telling) by sending.
"""

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: How long a woken sender waits for the request that woke it to answer.
SETTLE_SECONDS = 0.2


class OutboxWorker:
    """Runs :func:`deliver_due` in a daemon thread whenever woken or polled."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        """Start the thread once per process."""
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.stop_event.clear()
            self.thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self.thread.start()

    def wake(self) -> None:
        """Ask the thread to look at the outbox now."""
        self.wake_event.set()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self.stop_event.set()
        self.wake_event.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def _run(self) -> None:
        """Deliver due mail until stopped."""
        from pamong.extensions import db
        from pamong.mailer.services import deliver_due

        poll = self.app.config["OUTBOX_POLL_SECONDS"]
        while not self.stop_event.is_set():
            if self.wake_event.wait(timeout=poll):
                self.stop_event.wait(SETTLE_SECONDS)
            self.wake_event.clear()
            if self.stop_event.is_set():
                break
            with self.app.app_context():
                try:
                    deliver_due()
                except Exception:
                    log.exception("Outbox delivery failed")
                finally:
                    db.session.remove()


def init_app(app: Flask) -> None:
    """Create the worker; it starts with the first request it must serve."""
    worker = OutboxWorker(app)
    app.extensions["outbox_worker"] = worker

    @app.before_request
    def start_worker():
        """Make sure this process has a running sender, unless turned off."""
        if app.config["OUTBOX_WORKER"]:
            worker.start()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    """Wake this app's sender when a commit included new mail."""
    if not session.info.pop("outbox_dirty", False) or not has_app_context():
        return
    worker = current_app.extensions.get("outbox_worker")
    if worker is not None and current_app.config["OUTBOX_WORKER"]:
        worker.wake()
