"""Simultaneous requests create nothing twice."""

import threading
from datetime import date

from sqlalchemy import func, insert, select, update

from pamong.accounts.models import User
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from pamong.registration.models import Profile
from pamong.registration.services import Identity, save_identity, submit
from tests.conftest import csrf_from
from tests.helpers import Official

IDENTITY = Identity(
    phone="+6281234567890",
    birth_place="Selong",
    birth_date=date(1985, 4, 12),
    gender="P",
    nik="5203015204850001",
    education="S1",
    nik_date_mismatch=False,
    nik_gender_mismatch=False,
)


def run_together(actions) -> list:
    """Start every action at the same moment and return their results."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        results[index] = action()

    threads = [
        threading.Thread(target=run, args=(index, action))
        for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_same_email_twice_at_once_makes_one_account(app):
    """Two sign-ups with one address (in different case): one account.

    Both get the same answer; the address gets the account's link twice.
    """
    officials = [
        Official(app.test_client(), email="Siti.Aminah@example.id"),
        Official(app.test_client(), email="siti.aminah@EXAMPLE.id"),
    ]
    tokens = [csrf_from(o.client.get("/daftar").data) for o in officials]

    def sign_up(official, token):
        """Post the sign-up form with a token fetched beforehand."""
        return official.client.post(
            "/daftar",
            data={
                "csrf_token": token,
                "email": official.email,
                "name": official.name,
                "password": official.password,
                "privacy": "y",
            },
        )

    responses = run_together(
        [lambda o=o, t=t: sign_up(o, t) for o, t in zip(officials, tokens, strict=True)]
    )
    answers = {(r.status_code, r.headers.get("Location")) for r in responses}
    assert answers == {(302, "/daftar/periksa-email")}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        mails = db.session.scalars(select(OutboxMail)).all()
    assert [(m.recipient, m.subject) for m in mails] == [
        ("siti.aminah@example.id", "Verifikasi email")
    ] * 2


def test_same_nik_twice_at_once_is_saved_once(app):
    """Two officials sending one NIK at the same moment: one gets it."""
    officials = [
        Official(app.test_client(), email="a@example.id"),
        Official(app.test_client(), email="b@example.id"),
    ]
    for official in officials:
        official.sign_up()
    tokens = [csrf_from(o.client.get("/daftar/identitas").data) for o in officials]

    def send(official, token):
        """Post step 1 with a token fetched beforehand."""
        return official.client.post(
            "/daftar/identitas", data={"csrf_token": token, **official.identity}
        )

    responses = run_together(
        [lambda o=o, t=t: send(o, t) for o, t in zip(officials, tokens, strict=True)]
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert b"NIK ini sudah dipakai" in refused.data
    with app.app_context():
        saved = db.session.scalars(
            select(Profile).where(Profile.nik == "5203015204850001")
        ).all()
        assert len(saved) == 1


def test_step1_sent_twice_at_once_by_one_official_is_saved(app):
    """A double tap on Selanjutnya from two tabs: both answers move on, one profile."""
    official = Official(app.test_client())
    official.sign_up()
    second = Official(app.test_client(), email=official.email)
    second.log_in()
    clients = [official, second]
    tokens = [csrf_from(o.client.get("/daftar/identitas").data) for o in clients]

    def send(client, token):
        """Post step 1 with a token fetched beforehand."""
        return client.client.post(
            "/daftar/identitas", data={"csrf_token": token, **official.identity}
        )

    responses = run_together(
        [lambda o=o, t=t: send(o, t) for o, t in zip(clients, tokens, strict=True)]
    )
    assert [response.status_code for response in responses] == [302, 302]
    with app.app_context():
        profiles = db.session.scalars(select(Profile)).all()
        assert [profile.nik for profile in profiles] == ["5203015204850001"]


def test_profile_made_meanwhile_by_another_request_is_used(app):
    """The profile row appearing after it was looked up is taken, not duplicated."""
    official = Official(app.test_client())
    official.sign_up()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == official.email))
        assert user.profile is None
        with db.engine.begin() as other:
            other.execute(insert(Profile).values(user_id=user.id))

        save_identity(user, IDENTITY)

        profiles = db.session.scalars(select(Profile)).all()
        assert [(p.user_id, p.nik) for p in profiles] == [(user.id, IDENTITY.nik)]
        assert profiles[0].identity_done_at is not None


def test_account_frozen_while_resubmitting_stays_frozen(app):
    """An admin's freeze that lands while the official resubmits is not overruled."""
    official = Official(app.test_client())
    official.register()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == official.email))
        user.state = "rejected"
        db.session.commit()
        assert user.state == "rejected"
        with db.engine.begin() as other:
            other.execute(
                update(User).where(User.id == user.id).values(state="suspended")
            )

        handed_in = submit(user, "52.03.01.2001", "188.45/9/2021", date(2021, 1, 4))

        assert handed_in is False
        db.session.expire_all()
        assert db.session.get(User, user.id).state == "suspended"
