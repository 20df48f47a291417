"""Forms of the admin review desk."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from pamong.admin.choices import OTHER, REJECT_REASONS, STEPS
from pamong.registration.choices import THEMES
from pamong.registration.forms import Choice, mailable_email

NOTE_MAX = 1000


class DecisionForm(FlaskForm):
    """A form that carries nothing but the CSRF token (approve, reveal, remove)."""


class ConfirmPasswordForm(FlaskForm):
    """The admin's password, typed again before a decision."""

    password = PasswordField(
        "Kata sandi",
        validators=[
            DataRequired("Isi kata sandi Anda."),
            Length(max=200, message="Kata sandi terlalu panjang."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class RejectForm(FlaskForm):
    """A coded reason, and a note the official can act on."""

    kode = Choice(
        "Alasan penolakan",
        choices=[("", "— Pilih alasan —"), *REJECT_REASONS],
        default="",
    )
    reason = TextAreaField(
        "Catatan untuk pendaftar (dikirim lewat email)",
        validators=[
            Length(max=NOTE_MAX, message="Catatan paling panjang 1000 karakter.")
        ],
    )

    def validate_reason(self, field):
        """Without a coded reason (or with "Lainnya") the note is the reason."""
        if self.kode.data in ("", OTHER) and not (field.data or "").strip():
            raise ValidationError(
                "Tulis alasan agar pendaftar tahu apa yang harus diperbaiki."
            )


class SuspendForm(FlaskForm):
    """Why an official's account is frozen; the official reads it in a mail."""

    alasan = TextAreaField(
        "Alasan pembekuan (dikirim lewat email)",
        validators=[
            DataRequired("Tulis alasan pembekuan agar pemilik akun tahu sebabnya."),
            Length(max=NOTE_MAX, message="Alasan paling panjang 1000 karakter."),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as check boxes; forged values refused in Indonesian."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        """Require every ticked value to be one of the offered ones."""
        offered = {str(value) for value, _label in self.choices}
        if any(value not in offered for value in self.data or []):
            raise ValidationError("Pilih dari langkah yang tersedia.")


class WholeNumberField(IntegerField):
    """A whole number; anything else is refused in Bahasa Indonesia."""

    def process_formdata(self, valuelist):
        """Read the number, replacing the English error of WTForms."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Isi dengan angka bulat, misalnya 358.") from error


class CorrectionForm(FlaskForm):
    """The steps the official must correct, and what to change."""

    steps = MultiCheckboxField(
        "Langkah yang perlu diperbaiki",
        choices=STEPS,
        validators=[InputRequired("Pilih paling sedikit satu langkah.")],
    )
    catatan = TextAreaField(
        "Apa yang perlu diperbaiki (dikirim lewat email)",
        validators=[
            DataRequired("Tulis apa yang perlu diperbaiki."),
            Length(max=NOTE_MAX, message="Catatan paling panjang 1000 karakter."),
        ],
    )


class AppointForm(FlaskForm):
    """A new admin one level below the appointing one."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired("Isi alamat email."),
            Length(max=254, message="Alamat email terlalu panjang."),
            Email("Alamat email tidak valid."),
            mailable_email,
        ],
    )
    name = StringField(
        "Nama",
        validators=[
            DataRequired("Isi nama admin."),
            Length(max=150, message="Nama paling panjang 150 huruf."),
        ],
    )
    region = Choice("Wilayah", validators=[DataRequired("Pilih wilayah.")])


class TargetForm(FlaskForm):
    """A target: villages per region and theme."""

    region = Choice("Wilayah", validators=[DataRequired("Pilih wilayah.")])
    theme = Choice(
        "Tema",
        choices=list(THEMES.items()),
        validators=[DataRequired("Pilih tema.")],
    )
    villages = WholeNumberField(
        "Target jumlah desa",
        validators=[
            InputRequired("Isi target."),
            NumberRange(min=0, max=100000, message="Target 0 sampai 100.000."),
        ],
    )
