"""Forms of the admin review desk."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class DecisionForm(FlaskForm):
    """Approve needs nothing but the token; reject needs a reason."""


class RejectForm(FlaskForm):
    """A reason the official can act on."""

    reason = TextAreaField(
        "Alasan penolakan (akan dikirim ke pendaftar)",
        validators=[
            DataRequired("Tulis alasan agar pendaftar tahu apa yang harus diperbaiki."),
            Length(max=1000, message="Alasan paling panjang 1000 karakter."),
        ],
    )
