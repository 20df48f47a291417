"""Signing up without telling anyone which addresses already have an account.

Daftar Sekarang always answers "check your mail". A new address gets an
account and the "Verifikasi email" mail whose link logs the official in to
the steps; an address that already has an account gets a mail for its owner
instead, so only the owner of the mailbox learns the difference.
"""

from flask import current_app

from pamong.accounts.models import ADMIN, SUSPENDED
from pamong.accounts.services import (
    EmailTaken,
    create_account,
    find_by_email,
    normalise_email,
    waits_for_verification,
)
from pamong.core.logs import audit
from pamong.extensions import db
from pamong.mailer.services import mailed_lately, queue_mail
from pamong.registration.services import VERIFY_SUBJECT, queue_verification_mail

ALREADY_SUBJECT = "Email Anda sudah terdaftar"

#: Mails about signing up that one address receives per hour at most, however
#: many phones or networks ask for them.
MAILS_PER_HOUR = 5


def sign_up(email: str, name: str, password: str) -> None:
    """Create the account and mail its link, or mail the owner of the address.

    Both branches hash the password and put one mail in the outbox, so they
    take about the same time.
    """
    try:
        user = create_account(email, name, password)
    except EmailTaken:
        mail_owner(email)
        return
    queue_verification_mail(user)


def mail_owner(email: str) -> None:
    """Tell the owner of a registered address that someone signed up with it.

    An owner who never opened the first link gets a fresh one, which is what
    they most likely came back for; an owner with a verified address is
    reminded to log in or reset the password. Suspended accounts and admins
    get nothing.
    """
    user = find_by_email(email)
    if user is None or user.role == ADMIN or user.state == SUSPENDED:
        audit("signup_existing_ignored", user.id if user else None)
        return
    if _mailed_enough(user.email):
        audit("signup_existing_quiet", user.id)
        return

    if user.email_verified_at is None:
        queue_verification_mail(user)
    else:
        queue_mail(
            user.email,
            ALREADY_SUBJECT,
            "mail/already_registered.txt",
            user=user,
            login_link=_link("/masuk"),
            reset_link=_link("/lupa-sandi"),
        )
        db.session.commit()
    audit("signup_existing", user.id)


def send_verification_again(email: str) -> None:
    """Mail a fresh verification link if the address still waits for one.

    The caller answers the same whatever happened here, and the mail count is
    read for every address, known or not, so that the time taken tells less.
    """
    user = find_by_email(email)
    quiet = _mailed_enough(normalise_email(email))
    if not waits_for_verification(user) or quiet:
        audit("verification_resend_ignored", user.id if user else None)
        return
    queue_verification_mail(user)
    audit("verification_resent", user.id)


def _mailed_enough(address: str) -> bool:
    """Tell whether the address already had its sign-up mails for this hour."""
    subjects = (VERIFY_SUBJECT, ALREADY_SUBJECT)
    return mailed_lately(address, subjects) >= MAILS_PER_HOUR


def _link(path: str) -> str:
    """Turn a path into an absolute link for a mail."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
