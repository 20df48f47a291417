"""A local SMTP server that keeps every message as a file and prints it.

Run with ``python -m pamong.devtools.mailsink``; it listens on 127.0.0.1:8025
and writes ``.eml`` files into ``instance/mailbox``.
"""

import email
import email.policy
import logging
import time
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)


class SaveHandler:
    """Writes each received message to the mailbox folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        """Store the message and print its subject and body."""
        name = f"{time.time_ns()}.eml"
        (self.folder / name).write_bytes(envelope.content)
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        body = message.get_body(preferencelist=("plain",))
        print(
            f"\n--- Surat untuk {', '.join(envelope.rcpt_tos)}: {message['Subject']}\n"
            f"{body.get_content() if body else ''}---",
            flush=True,
        )
        return "250 OK"


def start(folder: Path, port: int = 8025) -> Controller:
    """Start the sink in a background thread and return its controller."""
    controller = Controller(SaveHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


if __name__ == "__main__":
    from pamong.config import Config

    sink = start(Path(Config.INSTANCE_PATH) / "mailbox", Config.MAIL_PORT)
    print(f"SMTP sink on 127.0.0.1:{Config.MAIL_PORT}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()
