"""Forms for logging in, recovering a password and correcting the email."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password, with an option to stay logged in on this phone."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired("Isi alamat email Anda."),
            Length(max=254, message="Alamat email terlalu panjang."),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    password = PasswordField(
        "Kata sandi",
        validators=[
            DataRequired("Isi kata sandi Anda."),
            Length(max=200, message="Kata sandi terlalu panjang."),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Tetap masuk di perangkat ini")


class ForgotPasswordForm(FlaskForm):
    """The email address to send a reset link to."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired("Isi alamat email Anda."),
            Length(max=254, message="Alamat email terlalu panjang."),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


class ResendVerificationForm(ForgotPasswordForm):
    """The email address to send a fresh verification link to."""


class ResetPasswordForm(FlaskForm):
    """A new password, typed once (with a show/hide toggle on the page)."""

    password = PasswordField(
        "Kata sandi baru",
        validators=[DataRequired("Buat kata sandi baru.")],
        render_kw={"autocomplete": "new-password"},
    )
