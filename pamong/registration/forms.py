"""Forms of the sign-up page and the three registration steps.

Fields are text so that what the official typed comes back unchanged when a
check fails; the checks themselves live in :mod:`pamong.registration.validators`.
"""

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from pamong.accounts.passwords import password_matches, password_problem
from pamong.registration import validators as rules
from pamong.registration.choices import EDUCATION, GENDERS, POSITIONS

DATE_INPUT = {"type": "date", "autocomplete": "off"}
BAD_EMAIL = "Alamat email tidak valid. Contoh: nama@gmail.com"
ACCENTED_EMAIL = (
    "Alamat email dengan huruf beraksen atau bukan huruf Latin sebelum tanda @ "
    "(misalnya ü atau é) belum bisa kami kirimi email. Pakai alamat yang "
    "sebelum tanda @ hanya berisi huruf a–z, angka, titik, atau tanda hubung."
)


class Choice(SelectField):
    """A list whose forged or stale values are refused in Bahasa Indonesia."""

    def pre_validate(self, form):
        """Require one of the offered values (emptiness is the required rule's)."""
        offered = {str(value) for value, _label in self.choices}
        if self.data not in ("", None) and self.data not in offered:
            raise ValidationError("Pilih salah satu dari daftar.")


class Options(RadioField):
    """Radio buttons whose forged values are refused in Bahasa Indonesia."""

    def pre_validate(self, form):
        """Require one of the offered values (emptiness is the required rule's)."""
        offered = {str(value) for value, _label in self.choices}
        if self.data not in ("", None) and self.data not in offered:
            raise ValidationError("Pilih salah satu pilihan.")


def _rule(check, *args):
    """Wrap a validator from ``rules`` as a WTForms validator."""

    def validate(_form, field):
        try:
            field.cleaned = check(field.data, *args)
        except rules.Invalid as error:
            raise ValidationError(str(error)) from error

    return validate


def mailable_email(_form, field):
    """Accept only an address our SMTP server can carry.

    Letters outside ASCII before the @-sign need SMTPUTF8, which the mail
    path does not offer; a domain in other letters is fine, as it is stored
    and sent in its ASCII (punycode) form.
    """
    local, at, _domain = (field.data or "").rpartition("@")
    if at and not local.isascii():
        raise ValidationError(ACCENTED_EMAIL)
    try:
        validate_email(
            field.data or "", check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError as error:
        raise ValidationError(BAD_EMAIL) from error


def _date_rule(field_label: str):
    """Parse a date field into ``field.parsed``, leaving the typed text alone."""

    def validate(_form, field):
        try:
            field.parsed = rules.parse_date(field.data)
        except rules.Invalid as error:
            field.parsed = None
            raise ValidationError(str(error)) from error
        if field.parsed is None:
            raise ValidationError(f"Isi {field_label}.")

    return validate


def _full_name_field() -> StringField:
    """The full name as on the KTP, tidied by the name rules."""
    return StringField(
        "Nama lengkap",
        validators=[_rule(rules.clean_name, "Nama lengkap")],
        render_kw={"autocomplete": "name"},
    )


def _password_field(missing: str) -> PasswordField:
    """A password the official chooses, with the message for an empty one."""
    return PasswordField(
        "Kata sandi",
        validators=[DataRequired(missing)],
        render_kw={"autocomplete": "new-password"},
    )


class SignUpForm(FlaskForm):
    """Daftar: email, full name, password and the privacy notice."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired("Isi alamat email Anda."),
            Length(max=254, message="Alamat email terlalu panjang."),
            mailable_email,
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    name = _full_name_field()
    password = _password_field("Buat kata sandi.")
    privacy = BooleanField(
        "Saya sudah membaca dan menyetujui Pemberitahuan Privasi",
        validators=[
            DataRequired("Centang persetujuan Pemberitahuan Privasi untuk lanjut.")
        ],
    )

    def validate_password(self, field):
        """Refuse short and common passwords, and the email or name itself."""
        name = getattr(self.name, "cleaned", None) or self.name.data
        problem = password_problem(field.data, self.email.data, name)
        if problem:
            raise ValidationError(problem)


class ConfirmSignUpForm(FlaskForm):
    """The verify page: the name, and the password typed again or anew.

    Whoever holds the mailed link sets the password here, so a password
    chosen by someone else who signed up with the same address never lasts.
    """

    name = _full_name_field()
    password = _password_field("Ketik kata sandi Anda.")
    repeat = PasswordField(
        "Ulangi kata sandi baru",
        render_kw={"autocomplete": "new-password"},
    )

    def check_password(self, email: str, current_hash: str) -> bool:
        """Refuse a weak password, and a new one not typed twice.

        The password the official typed at sign-up goes through as it is
        (``unchanged`` then says so); a different one, a typo or a new choice,
        must be typed again in ``repeat`` before it replaces the old one.
        """
        name = getattr(self.name, "cleaned", None) or self.name.data
        problem = password_problem(self.password.data, email, name)
        if problem:
            self.password.errors.append(problem)
            return False
        self.unchanged = password_matches(current_hash, self.password.data)
        if self.unchanged:
            return True
        if self.repeat.data != self.password.data:
            self.repeat.errors.append(
                "Kata sandi ini berbeda dari yang dibuat saat mendaftar. Bila "
                "memang ingin memakainya, ketik sekali lagi di sini; bila salah "
                "ketik, perbaiki kolom Kata sandi."
            )
            return False
        return True


class IdentityForm(FlaskForm):
    """Step 1: phone, place and date of birth, gender, NIK, education."""

    phone = StringField(
        "No HP",
        validators=[_rule(rules.check_phone)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    birth_place = StringField(
        "Tempat lahir", validators=[_rule(rules.clean_name, "Tempat lahir", 100)]
    )
    birth_date = StringField(
        "Tanggal lahir",
        validators=[_date_rule("tanggal lahir")],
        render_kw={**DATE_INPUT, "autocomplete": "bday"},
    )
    gender = Options(
        "Jenis kelamin",
        choices=GENDERS,
        validators=[InputRequired("Pilih jenis kelamin.")],
    )
    nik = StringField(
        "NIK",
        validators=[DataRequired("Isi NIK sesuai KTP.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 24},
    )
    education = Choice(
        "Pendidikan terakhir",
        choices=[("", "— Pilih —"), *EDUCATION],
        validators=[DataRequired("Pilih pendidikan terakhir.")],
    )
    confirm_nik = BooleanField(
        "Saya sudah memeriksa: NIK dan data di atas sesuai KTP saya"
    )

    def validate_birth_date(self, field):
        """Require a sensible, past birth date."""
        if field.errors:
            return
        try:
            rules.check_birth_date(field.parsed)
        except rules.Invalid as error:
            raise ValidationError(str(error)) from error


class PositionForm(FlaskForm):
    """Step 2: civil-servant status, position and its start date (TMT)."""

    is_pns = Options(
        "Apakah anda seorang PNS?",
        choices=[("ya", "Ya"), ("tidak", "Tidak")],
        validators=[InputRequired("Pilih Ya atau Tidak.")],
    )
    position = Choice(
        "Jabatan",
        choices=[("", "— Pilih jabatan —"), *POSITIONS],
        validators=[DataRequired("Pilih jabatan Anda.")],
    )
    tmt = StringField(
        "Jabatan Terhitung Mulai Tanggal (TMT)",
        validators=[_date_rule("tanggal TMT jabatan")],
        render_kw=DATE_INPUT,
    )


class LocationForm(FlaskForm):
    """Step 3: work location, SK number and date, and the SK PDF itself."""

    provinsi = StringField("Provinsi")
    kabupaten = StringField("Kabupaten/Kota")
    kecamatan = StringField("Kecamatan")
    desa = StringField("Desa")
    sk_number = StringField(
        "Nomor SK",
        validators=[
            DataRequired("Isi nomor SK Jabatan."),
            Length(max=100, message="Nomor SK paling panjang 100 karakter."),
        ],
    )
    sk_date = StringField(
        "Tanggal SK", validators=[_date_rule("tanggal SK")], render_kw=DATE_INPUT
    )
    sk_file = FileField(
        "Berkas SK Jabatan (PDF, paling besar 10 MB)",
        render_kw={"accept": "application/pdf,.pdf"},
    )
