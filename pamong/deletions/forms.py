"""The confirmation a national admin gives before an account is deleted."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ConfirmDeletionForm(FlaskForm):
    """One box to tick: deletion cannot be undone."""

    sure = BooleanField(
        "Saya sudah memeriksa permintaan ini; akun dan berkasnya dihapus permanen",
        validators=[DataRequired("Centang kotak ini bila akun memang akan dihapus.")],
    )
