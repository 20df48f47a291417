"""A real SMTP server on loopback that keeps what it receives, for tests."""

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    """Return a TCP port on loopback that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    to: list[str]
    subject: str
    body: str

    def links(self) -> list[str]:
        """Return every URL in the body."""
        return LINK.findall(self.body)


class _Handler:
    """aiosmtpd handler that parses and stores each message."""

    def __init__(self, box: "Mailbox"):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        """Keep the message and accept it, unless the box is set to refuse."""
        if self.box.refuse:
            return "451 Try again later"
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        body = message.get_body(preferencelist=("plain",)).get_content()
        self.box.add(
            ReceivedMail(list(envelope.rcpt_tos), str(message["Subject"]), body)
        )
        return "250 OK"


class Mailbox:
    """Messages received by an in-process SMTP server."""

    def __init__(self):
        self.messages: list[ReceivedMail] = []
        self.refuse = False
        self.condition = threading.Condition()
        self.port = free_port()
        self.controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port
        )

    def start(self) -> int:
        """Start listening and return the port."""
        self.controller.start()
        return self.port

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()

    def add(self, mail: ReceivedMail) -> None:
        """Store a message and wake waiters."""
        with self.condition:
            self.messages.append(mail)
            self.condition.notify_all()

    def clear(self) -> None:
        """Forget every message and accept mail again."""
        with self.condition:
            self.messages.clear()
        self.refuse = False

    def wait_for(self, to: str, subject: str, timeout: float = 15) -> ReceivedMail:
        """Wait until a message with this recipient and subject arrives."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for mail in self.messages:
                    if (
                        to.lower() in [r.lower() for r in mail.to]
                        and mail.subject == subject
                    ):
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no mail {subject!r} to {to}; got "
                        f"{[(m.to, m.subject) for m in self.messages]}"
                    )
                self.condition.wait(remaining)

    def count(self, to: str, subject: str) -> int:
        """Count messages with this recipient and subject."""
        with self.condition:
            return sum(
                1
                for m in self.messages
                if to.lower() in [r.lower() for r in m.to] and m.subject == subject
            )
