"""Glue between the step forms and the registration services.

Reads defaults from the saved profile, turns form input into checked values,
puts messages next to the right fields, and renders the step pages.

When an admin asked for a correction of named steps, only those steps open
(:func:`correction_allows`); the others send the official to the status page.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, text

from pamong.accounts.models import AccountEvent, User
from pamong.accounts.services import record
from pamong.admin.choices import STEPS as STEP_LABELS
from pamong.admin.services import correction_steps, latest_decision
from pamong.core.http import no_store
from pamong.documents.services import Refused, discard_file, store_sk
from pamong.extensions import db
from pamong.registration import services
from pamong.registration import validators as rules
from pamong.registration.services import Identity
from pamong.wilayah import services as wilayah

LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")

#: The key a step page sends with each sending of a step: URL-safe characters.
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")

#: History action that notes ``step:key`` of a step saved under a key.
KEY_ACTION = "submission_key"

#: The keys an admin names steps 1, 2 and 3 by, in order.
STEP_KEYS = tuple(key for key, _label in STEP_LABELS)

#: The step that hands the registration in when saved.
LAST_STEP = len(STEP_KEYS)

#: Why a file checked while the form was handed in elsewhere was not kept.
SK_AFTER_SUBMISSION = (
    "SK ini tidak disimpan karena pendaftaran sudah dikirim. SK yang dikirim "
    "bersama pendaftaran tetap dipakai."
)


@dataclass
class Correction:
    """Steps an admin asked to correct, by number, and those not saved since."""

    named: list[int]
    remaining: list[int]

    def label(self, number: int) -> str:
        """Return the words the official reads for step ``number``."""
        return STEP_LABELS[number - 1][1]

    def labels(self, numbers: list[int] | None = None) -> str:
        """Return the labels of ``numbers`` (the named steps), joined."""
        return ", ".join(self.label(number) for number in (numbers or self.named))

    def endpoint(self, number: int) -> str:
        """Return the endpoint of step ``number``."""
        return services.STEPS[number - 1][0]


@dataclass
class IdentityOutcome:
    """The checked identity (or ``None``) and the soft-check warnings."""

    identity: Identity | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Cascade:
    """The chosen region at each level and the lists to choose from."""

    selected: dict[str, str]
    lists: dict[str, list[tuple[str, str]]]

    @property
    def village_code(self) -> str:
        """The chosen desa, or an empty string."""
        return self.selected.get("desa", "")


def _iso(value) -> str:
    """Show a stored date as the ``YYYY-MM-DD`` a date input expects."""
    return value.isoformat() if value else ""


def identity_defaults(user) -> SimpleNamespace:
    """Return what step 1 shows before anything is typed."""
    profile = user.profile
    if profile is None:
        return SimpleNamespace()
    return SimpleNamespace(
        phone=profile.phone,
        birth_place=profile.birth_place,
        birth_date=_iso(profile.birth_date),
        gender=profile.gender,
        nik=profile.nik,
        education=profile.education,
        confirm_nik=profile.nik_date_mismatch or profile.nik_gender_mismatch,
    )


def position_defaults(user) -> SimpleNamespace:
    """Return what step 2 shows before anything is typed."""
    profile = user.profile
    if profile is None or profile.position_done_at is None:
        return SimpleNamespace()
    return SimpleNamespace(
        is_pns="ya" if profile.is_pns else "tidak",
        position=profile.position,
        tmt=_iso(profile.tmt),
    )


def location_defaults(user) -> SimpleNamespace:
    """Return what step 3 shows before anything is typed."""
    profile = user.profile
    if profile is None:
        return SimpleNamespace()
    return SimpleNamespace(sk_number=profile.sk_number, sk_date=_iso(profile.sk_date))


def add_errors(form, errors: dict[str, str]) -> None:
    """Put messages under the named fields of a form."""
    for name, message in errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


def check_identity(form) -> IdentityOutcome:
    """Check the NIK against the rest of step 1; build the identity if all hold.

    A soft mismatch is a warning until the official ticks the confirmation.
    """
    valid = form.validate_on_submit()
    birth_date = getattr(form.birth_date, "parsed", None)
    try:
        nik = rules.check_nik(
            form.nik.data, wilayah.province_codes(), birth_date, form.gender.data
        )
    except rules.Invalid as error:
        add_errors(form, {"nik": str(error)})
        return IdentityOutcome(None)

    if nik.warnings and not form.confirm_nik.data:
        return IdentityOutcome(None, nik.warnings)
    if not valid:
        return IdentityOutcome(None, nik.warnings)
    return IdentityOutcome(
        Identity(
            phone=form.phone.cleaned,
            birth_place=form.birth_place.cleaned,
            birth_date=birth_date,
            gender=form.gender.data,
            nik=nik.nik,
            education=form.education.data,
            nik_date_mismatch=nik.date_mismatch,
            nik_gender_mismatch=nik.gender_mismatch,
        ),
        nik.warnings,
    )


def check_position(form, user) -> bool:
    """Require a TMT in the past and at a working age."""
    try:
        rules.check_after_birth(
            form.tmt.parsed, user.profile.birth_date, "tanggal TMT jabatan"
        )
    except rules.Invalid as error:
        add_errors(form, {"tmt": str(error)})
        return False
    return True


def read_cascade(form) -> Cascade:
    """Read the chosen regions, dropping any that do not belong to their parent.

    The choices come from the form when sent, else from the saved profile; a
    stale or forged code empties its level and every level below it.
    """
    if request.method == "POST":
        chosen = [form[level].data or "" for level in LEVELS]
    else:
        chosen = _saved_chain(current_user)
    selected, lists = wilayah.cascade(dict(zip(LEVELS, chosen, strict=True)))
    return Cascade(selected, lists)


def _saved_chain(user) -> list[str]:
    """Return the saved desa and its parents as four codes."""
    code = user.profile.village_code if user.profile else None
    chain = wilayah.village_chain(code) if code else None
    if chain is None:
        return ["", "", "", ""]
    return [region.code for region in chain]


def take_upload(form, user) -> str | None:
    """Store a sent SK file at once, so it is never asked for twice.

    Returns the reason a sent file was refused, or ``None``.
    """
    upload = form.sk_file.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        document = store_sk(user, upload.stream, upload.filename)
    except Refused as error:
        db.session.rollback()
        form.sk_file.errors = [str(error)]
        return str(error)
    if not sk_step_still_open(user):
        storage_name = document.storage_name
        db.session.rollback()
        discard_file(storage_name)
        form.sk_file.errors = [SK_AFTER_SUBMISSION]
        return SK_AFTER_SUBMISSION
    services.attach_sk(user, document)
    return None


def complete_location(
    form, cascade: Cascade, user, upload_error: str | None = None
) -> bool:
    """Validate every field of step 3 and say whether it can be handed in.

    A file sent with this request and refused blocks the step even when an
    earlier SK is stored: the official meant to replace it.
    """
    valid = form.validate()
    if upload_error:
        form.sk_file.errors = [upload_error]
    located = check_location(form, cascade, user)
    return valid and located and not upload_error


def check_location(form, cascade: Cascade, user) -> bool:
    """Require a desa, an SK file, and an SK date after the birth date."""
    errors = {}
    for level in LEVELS:
        if level not in cascade.selected:
            errors[level] = f"Pilih {form[level].label.text.lower()}."
            break
    if form.sk_file.errors:
        pass
    elif user.profile is None or user.profile.sk_document_id is None:
        errors["sk_file"] = "Unggah SK Jabatan dalam bentuk PDF."

    sk_date = getattr(form.sk_date, "parsed", None)
    if sk_date is not None:
        try:
            rules.check_after_birth(sk_date, user.profile.birth_date, "tanggal SK")
        except rules.Invalid as error:
            errors["sk_date"] = str(error)

    add_errors(form, errors)
    return not errors and not form.sk_file.errors


def render(number: int, form, **context):
    """Render step ``number`` with its progress bar; never cached."""
    user = current_user
    return no_store(
        render_template(
            f"registration/step{number}.html",
            form=form,
            step=number,
            steps_done=services.steps_done(user),
            document=user.profile.sk_document if user.profile else None,
            **context,
        )
    )


def submission_key() -> str | None:
    """Return the key this request sent its step under, or ``None``.

    A missing or malformed key is ignored: the step is then saved as a plain
    form would be.
    """
    value = request.form.get("submission_key", "")
    return value if SUBMISSION_KEY.fullmatch(value) else None


def already_saved(user, step: str) -> bool:
    """Tell whether ``step`` was already saved under this request's key.

    A phone that lost the answer sends the same step again with the same key;
    that sending is then done already and must change nothing.
    """
    key = submission_key()
    if key is None:
        return False
    found = db.session.scalar(
        select(AccountEvent.id)
        .where(
            AccountEvent.user_id == user.id,
            AccountEvent.action == KEY_ACTION,
            AccountEvent.note == f"{step}:{key}",
        )
        .limit(1)
    )
    return found is not None


def claim_key(user, step: str) -> bool:
    """Note this request's key in the transaction that is about to save ``step``.

    The account is locked first, so two sendings with one key take turns.
    Returns ``False`` (and rolls back) when the other one saved the step.
    """
    key = submission_key()
    if key is None:
        return True
    lock_account(user)
    if already_saved(user, step):
        db.session.rollback()
        return False
    record(user, KEY_ACTION, note=f"{step}:{key}")
    return True


def lock_account(user) -> None:
    """Hold the account until the transaction ends.

    PostgreSQL locks the account's row. SQLite has no row locks, so a write
    that changes nothing takes the database's write lock instead.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            text("UPDATE users SET id = id WHERE id = :id"), {"id": user.id}
        )
    else:
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def sk_step_still_open(user) -> bool:
    """Lock the account, then tell whether step 3 may still be changed.

    An SK is checked for seconds; the form may have been handed in from
    another tab meanwhile. The lock makes the answer hold until the SK is
    attached and the transaction ends.
    """
    lock_account(user)
    db.session.refresh(user)
    if user.profile is not None:
        db.session.refresh(user.profile)
    return services.may_open_step(user, 3)


def correction_of(user) -> Correction | None:
    """Return the correction an admin asked of this official, if steps were named.

    A named step counts as done once it has been saved after the request.
    """
    keys = correction_steps(user)
    if not keys:
        return None
    asked_at = latest_decision(user).created_at
    named = [STEP_KEYS.index(key) + 1 for key in keys if key in STEP_KEYS]
    remaining = [number for number in named if not _saved_since(user, number, asked_at)]
    return Correction(named, remaining)


def _saved_since(user, number: int, moment: datetime) -> bool:
    """Tell whether step ``number`` was saved after ``moment``."""
    column = services.STEPS[number - 1][1]
    saved_at = getattr(user.profile, column, None) if user.profile else None
    return saved_at is not None and saved_at > moment


def correction_allows(number: int):
    """Open step ``number`` unless an admin asked to correct other steps only.

    A step that was not named sends the official to the status page with a
    message, and a form sent to it is not saved. The last step, which hands
    the registration in, opens once the named steps before it are saved.
    """

    def decorator(view):
        """Wrap the step's view with the check."""

        @wraps(view)
        def wrapper(*args, **kwargs):
            """Let the step through, or say why not and go where it is needed."""
            correction = correction_of(current_user)
            if correction is None:
                return view(*args, **kwargs)
            if number not in correction.named:
                flash(_not_named_message(correction, number), "info")
                return redirect(url_for("registration.status"), 303)
            earlier = [step for step in correction.remaining if step < number]
            if number == LAST_STEP and earlier:
                flash(
                    f"Perbaiki dulu {correction.label(earlier[0])}, lalu "
                    f"{correction.label(number)}.",
                    "info",
                )
                return redirect(url_for(correction.endpoint(earlier[0])), 303)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _not_named_message(correction: Correction, number: int) -> str:
    """Say that step ``number`` stays as it is, and which steps to correct."""
    if request.method == "POST":
        return (
            f"Isian {correction.label(number)} tidak disimpan: admin hanya meminta "
            f"perbaikan pada {correction.labels()}."
        )
    return (
        f"{correction.label(number)} tidak perlu diubah. Admin meminta perbaikan "
        f"pada {correction.labels()}."
    )


def next_after(user, number: int) -> str:
    """Return where the official goes once step ``number`` is saved.

    During a correction: the next named step still to save, else the status
    page, which holds the Kirim ulang button. Otherwise the next step.
    """
    correction = correction_of(user)
    if correction is None:
        return url_for(services.STEPS[number][0])
    for step in correction.remaining:
        if step != number:
            return url_for(correction.endpoint(step))
    flash(
        "Perbaikan tersimpan. Tekan Kirim ulang pendaftaran agar admin memeriksanya "
        "lagi.",
        "info",
    )
    return url_for("registration.status")
