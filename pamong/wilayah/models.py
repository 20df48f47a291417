"""Administrative regions of Indonesia with their Kemendagri codes.

Four levels: provinsi (``52``), kabupaten/kota (``52.03``), kecamatan
(``52.03.01``) and desa/kelurahan (``52.03.01.2001``). The first digit of the
last segment of a village code tells its kind: 1 kelurahan, 2 desa, 3 desa adat.
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pamong.extensions import db

KELURAHAN = 1
DESA = 2
DESA_ADAT = 3


class Province(db.Model):
    """A provinsi."""

    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Regency(db.Model):
    """A kabupaten or kota."""

    __tablename__ = "regencies"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class District(db.Model):
    """A kecamatan."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Village(db.Model):
    """A desa, desa adat or kelurahan; ``kind`` holds 1, 2 or 3."""

    __tablename__ = "villages"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[int]
