"""Admin decisions and admin appointments, each with its mail and audit entry.

A decision re-reads the account under a row lock, checks the admin's scope
again, changes the state, records the account history, the decision, the
audit entry and the mail to the official, and commits all of it at once.

Suspending an official (``bekukan``) ends every session at once; the state the
account had is kept in the audit entry's details, so reinstating returns it
there without a column of its own.
"""

import logging
import secrets

from flask import current_app, url_for
from sqlalchemy import select, update

from pamong.accounts.models import (
    ADMIN,
    APPROVED,
    PENDING,
    REGISTERED,
    REJECTED,
    SUBMITTED,
    SUSPENDED,
    User,
    new_session_key,
)
from pamong.accounts.services import (
    EmailTaken,
    create_account,
    find_by_email,
    record,
    set_password,
)
from pamong.admin import queue, scope
from pamong.admin.audit import details_of, record_admin_action
from pamong.admin.choices import OTHER, REJECT_REASONS, STEPS
from pamong.admin.models import (
    APPROVE,
    CORRECTION,
    REJECT,
    AuditEntry,
    ReviewDecision,
)
from pamong.extensions import db
from pamong.mailer.services import queue_mail

log = logging.getLogger(__name__)

#: Most accounts approved in one bulk action (one queue page).
BULK_MAX = queue.PAGE_SIZE

SUBJECT_APPROVED = "Pendaftaran disetujui"
SUBJECT_REJECTED = "Pendaftaran perlu diperbaiki"
SUBJECT_INVITED = "Anda diangkat sebagai admin LMS Pamong Desa"
SUBJECT_SUSPENDED = "Akun LMS Pamong Desa Anda dibekukan"
SUBJECT_REINSTATED = "Akun LMS Pamong Desa Anda aktif lagi"


class NotPending(Exception):
    """The account is not waiting for a decision (any more)."""


class OutOfScope(Exception):
    """The account lies outside the admin's region."""


class NotAllowed(Exception):
    """The admin may not appoint or remove this admin."""


class StateChanged(Exception):
    """The account is already suspended, or no longer suspended."""


def _login_url() -> str:
    """Return the absolute address of the Masuk page, for mails."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/masuk"


def _lock_pending(user: User, admin: User, decided: str) -> None:
    """Take the decision on a pending account before anyone else can.

    A conditional update moves the account out of ``pending``; a second
    admin deciding at the same moment finds nothing to update, on SQLite
    (whose write lock orders the two) as on PostgreSQL.

    :raises OutOfScope: when the admin may not decide this account.
    :raises NotPending: when the account is not pending.
    """
    if not scope.can_see(admin, user):
        db.session.rollback()
        raise OutOfScope(user.id)
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.state == PENDING)
        .values(state=decided)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise NotPending(user.id)


def approve(user: User, admin: User, *, bulk: bool = False) -> None:
    """Approve a pending registration and tell the official.

    :raises NotPending: when the account is not pending.
    :raises OutOfScope: when the account is outside the admin's scope.
    """
    _lock_pending(user, admin, APPROVED)

    user.state = APPROVED
    user.rejection_reason = None
    record(user, "approved", actor=admin)
    db.session.add(ReviewDecision(user_id=user.id, admin_id=admin.id, decision=APPROVE))
    record_admin_action(admin, "approved", user.id, bulk=bulk)
    queue_mail(
        user.email,
        SUBJECT_APPROVED,
        "mail/approved.txt",
        user=user,
        login_url=_login_url(),
    )
    db.session.commit()


def rejection_text(reason_code: str, note: str) -> str:
    """Compose the reason the official reads from a coded reason and a note."""
    note = (note or "").strip()
    if reason_code == OTHER or reason_code not in dict(REJECT_REASONS):
        return note
    title = dict(REJECT_REASONS)[reason_code]
    return f"{title}. {note}" if note else f"{title}."


def reject(user: User, admin: User, reason_code: str, note: str) -> None:
    """Reject a pending registration with a coded reason and a note.

    :raises NotPending: when the account is not pending.
    :raises OutOfScope: when the account is outside the admin's scope.
    """
    _lock_pending(user, admin, REJECTED)

    reason = rejection_text(reason_code, note)
    decision = ReviewDecision(
        user_id=user.id,
        admin_id=admin.id,
        decision=REJECT,
        reason_code=reason_code,
        note=note or None,
    )
    _send_back(user, admin, "rejected", reason, decision, reason=reason_code)
    queue_mail(
        user.email,
        SUBJECT_REJECTED,
        "mail/rejected.txt",
        user=user,
        reason=reason,
        login_url=_login_url(),
    )
    db.session.commit()


def _send_back(
    user: User, admin: User, action: str, message: str, decision, **details
) -> None:
    """Return a claimed account to its official with the message, recorded."""
    user.state = REJECTED
    user.rejection_reason = message
    record(user, action, note=message, actor=admin)
    db.session.add(decision)
    record_admin_action(admin, action, user.id, **details)


def correction_text(steps: list[str], note: str) -> str:
    """Compose the request the official reads from the named steps and a note."""
    labels = dict(STEPS)
    named = ", ".join(labels[step] for step in steps)
    note = (note or "").strip()
    return f"Perbaiki: {named}. {note}".strip()


def request_correction(user: User, admin: User, steps: list[str], note: str) -> None:
    """Ask the official to correct named steps; the account becomes ``rejected``.

    The registration side lets a rejected official edit every step;
    :func:`correction_steps` tells it which ones the admin named.

    :raises NotPending: when the account is not pending.
    :raises OutOfScope: when the account is outside the admin's scope.
    """
    steps = [key for key, _label in STEPS if key in steps]
    _lock_pending(user, admin, REJECTED)

    reason = correction_text(steps, note)
    decision = ReviewDecision(
        user_id=user.id,
        admin_id=admin.id,
        decision=CORRECTION,
        note=note or None,
        steps=",".join(steps),
    )
    _send_back(
        user, admin, "correction_requested", reason, decision, steps=",".join(steps)
    )
    queue_mail(
        user.email,
        SUBJECT_REJECTED,
        "mail/correction.txt",
        user=user,
        steps=[label for key, label in STEPS if key in steps],
        note=(note or "").strip(),
        login_url=_login_url(),
    )
    db.session.commit()


def approve_many(admin: User, ids: list[int]) -> tuple[int, int]:
    """Approve each selected account on its own; return (approved, skipped).

    Accounts that are out of scope, no longer pending or unknown are skipped.
    Each approval is committed with its own history line, audit entry and mail.
    """
    wanted = list(dict.fromkeys(ids))[:BULK_MAX]
    approved = 0
    for user in queue.pending_in_scope(admin, wanted):
        try:
            approve(user, admin, bulk=True)
        except (NotPending, OutOfScope):
            continue
        approved += 1
    return approved, len(set(ids)) - approved


def decisions_of(user: User) -> list[ReviewDecision]:
    """Return every decision on an account, newest first."""
    return db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.user_id == user.id)
        .order_by(ReviewDecision.id.desc())
    ).all()


def latest_decision(user: User) -> ReviewDecision | None:
    """Return the most recent decision on an account."""
    return db.session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.user_id == user.id)
        .order_by(ReviewDecision.id.desc())
        .limit(1)
    )


def correction_steps(user: User) -> list[str]:
    """Return the steps an admin asked this rejected official to correct.

    Empty when the account is not rejected or the last decision named no step
    (a plain rejection, where every step may need a look).
    """
    if user.state != REJECTED:
        return []
    decision = latest_decision(user)
    if decision is None or decision.decision != CORRECTION:
        return []
    return decision.step_list


def reveal_nik(admin: User, official: User) -> str:
    """Return the official's full NIK and record that the admin saw it."""
    record_admin_action(admin, "nik_revealed", official.id, commit=True)
    profile = official.profile
    return profile.nik if profile is not None and profile.nik else ""


def ensure_admin(
    email: str,
    name: str,
    password: str,
    level: str = scope.NASIONAL,
    region: str = "",
) -> tuple[User, bool]:
    """Create an admin, or reset the password and scope if the admin exists.

    :raises ValueError: when ``region`` does not fit ``level``.
    """
    if not scope.valid_scope(level, region):
        raise ValueError(f"wilayah {region!r} tidak cocok untuk tingkat {level}")

    user = find_by_email(email)
    created = user is None
    if created:
        user = create_account(email, name, password, role=ADMIN)
    else:
        set_password(user, password)
    changed = (
        created
        or user.role != ADMIN
        or user.state == SUSPENDED
        or (user.admin_level, user.admin_region) != (level, region)
    )
    user.role = ADMIN
    if user.state == SUSPENDED:
        user.state = PENDING
    user.admin_level = level
    user.admin_region = region
    if changed:
        record_admin_action(
            None, "admin_appointed", user.id, level=level, region=region, via="cli"
        )
    db.session.commit()
    return user, created


def managed_admins(admin: User) -> list[User]:
    """Return the admins this admin may remove: lower levels in their scope."""
    others = db.session.scalars(
        select(User).where(User.role == ADMIN, User.id != admin.id).order_by(User.email)
    ).all()
    return [other for other in others if scope.may_manage(admin, other)]


def appoint(admin: User, email: str, name: str, region: str) -> User:
    """Make a new admin one level below ``admin`` for ``region``, and invite them.

    The new admin gets a random password they never see, and a mail that sends
    them to "Lupa kata sandi?" to choose their own; the link that page mails
    proves they own the address.

    :raises NotAllowed: when the region lies outside the appointing admin's
        scope, or the admin appoints nobody.
    :raises EmailTaken: when the address already has an account.
    """
    level = scope.level_below(admin.admin_level)
    if level is None or not scope.may_appoint(admin, level, region):
        raise NotAllowed(region)
    if find_by_email(email) is not None:
        raise EmailTaken(email)

    user = create_account(email, name, secrets.token_urlsafe(24), role=ADMIN)
    user.admin_level = level
    user.admin_region = region
    record(user, "admin_appointed", note=f"{level} {region}".strip(), actor=admin)
    record_admin_action(admin, "admin_appointed", user.id, level=level, region=region)
    queue_mail(
        user.email,
        SUBJECT_INVITED,
        "mail/admin_invited.txt",
        user=user,
        appointer=admin,
        level_label=scope.LEVEL_LABELS[level],
        region_name=scope.describe(user),
        reset_url=current_app.config["PUBLIC_URL"].rstrip("/")
        + url_for("accounts.forgot_password"),
    )
    db.session.commit()
    log.info("admin %s appointed %s (%s %s)", admin.id, user.id, level, region)
    return user


def remove_admin(admin: User, other: User) -> None:
    """End another admin's access at once: suspend and end every session.

    :raises NotAllowed: when ``admin`` may not manage ``other``.
    """
    if not scope.may_manage(admin, other):
        raise NotAllowed(other.id)
    other.state = SUSPENDED
    other.session_key = new_session_key()
    record(other, "admin_removed", actor=admin)
    record_admin_action(
        admin,
        "admin_removed",
        other.id,
        level=other.admin_level,
        region=other.admin_region,
    )
    db.session.commit()


def contacts_for(official: User, admin: User) -> list[User]:
    """Return the admins an official should contact: their admin daerah.

    The kabupaten/kota admins of the official's desa, else the provinsi
    admins, else ``admin`` (the one who acted); removed admins never.
    """
    code = official.profile.village_code if official.profile is not None else None
    for level, length in ((scope.KABUPATEN, 5), (scope.PROVINSI, 2)):
        if not code:
            break
        found = db.session.scalars(
            select(User)
            .where(
                User.role == ADMIN,
                User.state != SUSPENDED,
                User.admin_level == level,
                User.admin_region == code[:length],
            )
            .order_by(User.id)
        ).all()
        if found:
            return list(found)
    return [admin]


def _check_official(official: User, admin: User) -> None:
    """Refuse an admin account, or an official outside the admin's scope.

    :raises NotAllowed: when ``official`` is an admin (removed on the staff page).
    :raises OutOfScope: when the admin may not see the official.
    """
    if official.is_admin:
        db.session.rollback()
        raise NotAllowed(official.id)
    if not scope.can_see(admin, official):
        db.session.rollback()
        raise OutOfScope(official.id)


def suspend(official: User, admin: User, reason: str) -> None:
    """Freeze an official's account: no login, every session ends at once.

    The state before is kept in the audit entry, for :func:`reinstate`. The
    change is a conditional update, so two admins acting at the same moment
    cannot both suspend, nor lose the state the account had.

    :raises NotAllowed: when the account is an admin's.
    :raises OutOfScope: when the account is outside the admin's scope.
    :raises StateChanged: when the account is already suspended.
    """
    _check_official(official, admin)
    previous = official.state
    reason = reason.strip()
    changed = db.session.execute(
        update(User)
        .where(
            User.id == official.id,
            User.role != ADMIN,
            User.state == previous,
            User.state != SUSPENDED,
        )
        .values(state=SUSPENDED, session_key=new_session_key())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise StateChanged(official.id)
    db.session.refresh(official)

    record(official, "suspended", note=reason, actor=admin)
    record_admin_action(
        admin, "account_suspended", official.id, previous_state=previous, reason=reason
    )
    queue_mail(
        official.email,
        SUBJECT_SUSPENDED,
        "mail/suspended.txt",
        user=official,
        reason=reason,
        contacts=contacts_for(official, admin),
    )
    db.session.commit()
    log.info("admin %s suspended account %s (was %s)", admin.id, official.id, previous)


def state_before_suspension(official: User) -> str:
    """Return the state a suspended official returns to when reinstated.

    Read from the latest suspension's audit entry. An account suspended
    without one returns to where its registration stands. A submission
    whose address was verified meanwhile goes on to ``pending``.
    """
    entry = db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.target_user_id == official.id,
            AuditEntry.action == "account_suspended",
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    state = details_of(entry).get("previous_state") if entry is not None else None
    if state not in (REGISTERED, SUBMITTED, PENDING, APPROVED, REJECTED):
        state = SUBMITTED if official.submitted_at else REGISTERED
    if state == SUBMITTED and official.email_verified_at is not None:
        state = PENDING
    return state


def reinstate(official: User, admin: User) -> str:
    """Lift a suspension: the account returns to the state it had; return it.

    :raises NotAllowed: when the account is an admin's.
    :raises OutOfScope: when the account is outside the admin's scope.
    :raises StateChanged: when the account is not suspended.
    """
    _check_official(official, admin)
    state = state_before_suspension(official)
    changed = db.session.execute(
        update(User)
        .where(User.id == official.id, User.role != ADMIN, User.state == SUSPENDED)
        .values(state=state)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise StateChanged(official.id)
    db.session.refresh(official)

    record(official, "reinstated", actor=admin)
    record_admin_action(admin, "account_reinstated", official.id, state=state)
    queue_mail(
        official.email,
        SUBJECT_REINSTATED,
        "mail/reinstated.txt",
        user=official,
        login_url=_login_url(),
    )
    db.session.commit()
    log.info("admin %s reinstated account %s as %s", admin.id, official.id, state)
    return state
