"""Helpers that walk the registration path through the Flask test client."""

import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from pamong.accounts.services import normalise_email
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from tests.conftest import csrf_from
from tests.pdf_samples import good_bytes

# A desa in Kecamatan Keruak, Kabupaten Lombok Timur, Nusa Tenggara Barat.
PROVINSI = "52"
KABUPATEN = "52.03"
KECAMATAN = "52.03.01"
DESA = "52.03.01.2001"


def mailed_path(app, email: str, prefix: str = "/verifikasi/") -> str:
    """Return the path of the newest link starting with ``prefix`` mailed to ``email``.

    The link is read from the outbox, where every mail is written before it
    is sent, so tests without an SMTP server follow it too.
    """
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMail.body)
            .where(OutboxMail.recipient == normalise_email(email))
            .order_by(OutboxMail.id.desc())
        )
        for body in bodies:
            found = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", body)
            if found:
                return found.group(1)
    raise AssertionError(f"no mail to {email} holds a link to {prefix}")


@dataclass
class Official:
    """An official's answers, and the client they use."""

    client: object
    email: str = "siti.aminah@example.id"
    name: str = "Siti Aminah"
    password: str = "kopi-tubruk-2026"
    identity: dict = field(
        default_factory=lambda: {
            "phone": "0812-3456-7890",
            "birth_place": "Selong",
            "birth_date": "1985-04-12",
            "gender": "P",
            "nik": "5203015204850001",
            "education": "8",
        }
    )
    position: dict = field(
        default_factory=lambda: {
            "is_pns": "tidak",
            "position": "kaur_keuangan",
            "tmt": "2021-01-04",
        }
    )

    def post(self, url: str, data: dict, **kwargs):
        """Post a form with the CSRF token of the page at ``url``."""
        page = self.client.get(url)
        token = csrf_from(page.data)
        return self.client.post(url, data={"csrf_token": token, **data}, **kwargs)

    def sign_up(self, verify: bool = True, **overrides):
        """Fill in the Daftar page, then open the mailed link unless told not to.

        Returns the answer to Daftar Sekarang.
        """
        data = {
            "email": self.email,
            "name": self.name,
            "password": self.password,
            "privacy": "y",
            **overrides,
        }
        response = self.post("/daftar", data)
        if verify and response.status_code == 302:
            self.verify_email(data["email"])
        return response

    def verify_email(self, email: str | None = None):
        """Open the newest verification link mailed to the official and confirm."""
        path = mailed_path(self.client.application, email or self.email)
        return self.post(path, {"name": self.name, "password": self.password})

    def log_in(self, email=None, password=None):
        """Log in on the Masuk page."""
        return self.post(
            "/masuk",
            {"email": email or self.email, "password": password or self.password},
        )

    def step1(self, **overrides):
        """Send step 1."""
        return self.post("/daftar/identitas", {**self.identity, **overrides})

    def step2(self, **overrides):
        """Send step 2."""
        return self.post("/daftar/jabatan", {**self.position, **overrides})

    def step3(self, pdf: bytes | None = None, filename="sk.pdf", **overrides):
        """Send step 3 with an SK file."""
        data = {
            "provinsi": PROVINSI,
            "kabupaten": KABUPATEN,
            "kecamatan": KECAMATAN,
            "desa": DESA,
            "sk_number": "188.45/123/DPMD/2021",
            "sk_date": "2020-12-28",
            **overrides,
        }
        if pdf is not False:
            data["sk_file"] = (io.BytesIO(pdf or good_bytes()), filename)
        return self.post("/daftar/lokasi", data, content_type="multipart/form-data")

    def register(self):
        """Sign up and send all three steps."""
        self.sign_up()
        self.step1()
        self.step2()
        return self.step3()
