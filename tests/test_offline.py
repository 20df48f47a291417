"""A step sent again from a phone that lost the answer is saved only once.

Each sending of a step carries a random ``submission_key``. A second POST of
the same step with the same key, by the same official, changes nothing and
goes where the first one went. ``GET /csrf`` gives a fresh token for a form
that was kept on the phone for hours.
"""

import time

import pytest
from sqlalchemy import func, select

from pamong.accounts.models import AccountEvent, User
from pamong.extensions import db
from pamong.registration import services
from pamong.registration.models import Profile
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.pdf_samples import good_bytes
from tests.test_concurrency import run_together

STEP1 = "/daftar/identitas"
STEP2 = "/daftar/jabatan"
STEP3 = "/daftar/lokasi"

KEY = "k7Qx2bW9fLmN4pRs8tUv"
OTHER_KEY = "Zz0-_aaaabbbbccccdddd"


def count(app, action: str) -> int:
    """Return how many history lines of ``action`` exist."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AccountEvent)
            .where(AccountEvent.action == action)
        )


def profile(app) -> Profile:
    """Return the only profile."""
    with app.app_context():
        return db.session.scalars(select(Profile)).one()


def state(app) -> str:
    """Return the only official's account state."""
    with app.app_context():
        return db.session.scalars(select(User.state)).one()


@pytest.fixture
def official(client) -> Official:
    """An official who has just signed up."""
    person = Official(client)
    assert person.sign_up().status_code == 302
    return person


def test_same_key_twice_saves_step1_once(app, official):
    """The second sending of step 1 under one key changes nothing."""
    first = official.step1(submission_key=KEY)
    assert first.status_code == 302
    assert first.location.endswith(STEP2)
    assert profile(app).phone == "+6281234567890"

    again = official.step1(submission_key=KEY, phone="0813-1111-2222")

    assert again.status_code == 302
    assert again.location == first.location
    assert count(app, "step_identity") == 1
    assert profile(app).phone == "+6281234567890"


def test_other_key_saves_step1_again(app, official):
    """A new sending (another key) is saved as usual."""
    official.step1(submission_key=KEY)
    again = official.step1(submission_key=OTHER_KEY, phone="0813-1111-2222")

    assert again.status_code == 302
    assert again.location.endswith(STEP2)
    assert count(app, "step_identity") == 2
    assert profile(app).phone == "+6281311112222"


def test_without_key_every_sending_is_saved(app, official):
    """A plain form (no JavaScript, so no key) saves every time."""
    official.step1()
    official.step1(phone="0813-1111-2222")
    assert count(app, "step_identity") == 2
    assert count(app, "submission_key") == 0


def test_refused_sending_does_not_use_up_its_key(app, official):
    """A key whose step was refused can be sent again once corrected."""
    refused = official.step1(submission_key=KEY, nik="123")
    assert refused.status_code == 200
    assert count(app, "submission_key") == 0

    fixed = official.step1(submission_key=KEY)
    assert fixed.status_code == 302
    assert count(app, "step_identity") == 1


def test_same_key_twice_saves_step2_once(app, official):
    """Step 2 under one key is saved once and both sendings go on to step 3."""
    official.step1()
    first = official.step2(submission_key=KEY)
    again = official.step2(submission_key=KEY, position="kaur_perencanaan")

    assert first.status_code == again.status_code == 302
    assert first.location.endswith(STEP3)
    assert again.location == first.location
    assert count(app, "step_position") == 1
    assert profile(app).position == "kaur_keuangan"


def test_key_belongs_to_one_step(app, official):
    """A key used for step 1 does not stop step 2."""
    official.step1(submission_key=KEY)
    official.step2(submission_key=KEY)
    assert count(app, "step_position") == 1
    assert profile(app).position_done_at is not None


def test_same_key_twice_submits_step3_once(app, official):
    """The last step under one key hands the registration in once."""
    official.step1()
    official.step2()
    first = official.step3(submission_key=KEY)
    assert first.status_code == 302
    assert first.location.endswith("/status")
    assert state(app) == "pending"

    again = official.client.post(
        STEP3,
        data={
            "csrf_token": csrf_from(official.client.get("/status").data),
            "submission_key": KEY,
            "sk_number": "lain",
        },
    )
    assert again.status_code == 302
    assert again.location == first.location
    assert count(app, "submitted") == 1
    assert profile(app).sk_number == "188.45/123/DPMD/2021"


def test_same_key_while_step3_still_open_is_done(app, official):
    """A step 3 sent again under its key is done, even before the state moves."""
    official.step1()
    official.step2()
    official.step3(submission_key=KEY)
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        user.state = "rejected"
        db.session.commit()

    again = official.step3(pdf=False, submission_key=KEY, sk_number="lain")

    assert again.status_code == 302
    assert again.location.endswith("/status")
    assert count(app, "submitted") == 1
    assert count(app, "resubmitted") == 0
    assert profile(app).sk_number == "188.45/123/DPMD/2021"


@pytest.mark.parametrize(
    "key",
    [
        "pendek",
        "x" * 65,
        "ada spasi di dalam kunci",
        "kunci/dengan/garis/miring",
        "ÄÖÜäöüÄÖÜäöüÄÖÜäöü",
        "' OR 1=1 --aaaaaaaaa",
        "a" * 10_000,
    ],
)
def test_malformed_key_is_ignored(app, official, key):
    """A malformed key never causes an error: the step is saved as if keyless."""
    first = official.step1(submission_key=key)
    again = official.step1(submission_key=key)

    assert first.status_code == again.status_code == 302
    assert count(app, "step_identity") == 2
    assert count(app, "submission_key") == 0


def test_same_key_at_the_same_moment_is_saved_once(app, monkeypatch):
    """Two sessions of one official sending one key at once: saved once.

    Saving is slowed down so that both requests have checked the key before
    either has saved, unless the first holds the account until it commits.
    """
    save = services.save_identity

    def slow_save(*args, **kwargs):
        """Save step 1 a little later, as a busy server would."""
        time.sleep(0.3)
        return save(*args, **kwargs)

    monkeypatch.setattr(services, "save_identity", slow_save)
    first = Official(app.test_client())
    first.sign_up()
    second = Official(app.test_client())
    assert second.log_in().status_code == 302
    clients = [first.client, second.client]
    tokens = [csrf_from(client.get(STEP1).data) for client in clients]

    def send(client, token):
        """Post step 1 under the shared key with a token fetched beforehand."""
        return client.post(
            STEP1,
            data={"csrf_token": token, "submission_key": KEY, **first.identity},
        )

    responses = run_together(
        [lambda c=c, t=t: send(c, t) for c, t in zip(clients, tokens, strict=True)]
    )

    assert [response.status_code for response in responses] == [302, 302]
    assert all(response.location.endswith(STEP2) for response in responses)
    assert count(app, "step_identity") == 1
    assert count(app, "submission_key") == 1


def test_csrf_endpoint_gives_a_token_that_works(app, official):
    """A token from GET /csrf lets a step through in the same session."""
    response = official.client.get("/csrf")

    assert response.status_code == 200
    assert response.is_json
    assert "no-store" in response.headers["Cache-Control"]
    token = response.get_json()["token"]
    sent = official.client.post(
        STEP1, data={"csrf_token": token, "submission_key": KEY, **official.identity}
    )
    assert sent.status_code == 302
    assert sent.location.endswith(STEP2)
    assert count(app, "step_identity") == 1


def test_csrf_token_of_another_session_is_refused(app, official):
    """A token belongs to its session: another browser's does not work."""
    stranger = app.test_client()
    token = stranger.get("/csrf").get_json()["token"]

    sent = official.client.post(STEP1, data={"csrf_token": token, **official.identity})

    assert sent.status_code == 400
    assert count(app, "step_identity") == 0


def test_csrf_endpoint_needs_no_login(client):
    """The token is given to anyone; it only works with its own session."""
    response = client.get("/csrf")
    assert response.status_code == 200
    assert response.get_json()["token"]
    assert "no-store" in response.headers["Cache-Control"]


def test_sk_file_sent_again_under_a_saved_key_is_not_stored(app, official):
    """A duplicate step 3 is answered before its file is even looked at."""
    official.step1()
    official.step2()
    official.step3(submission_key=KEY)
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        user.state = "rejected"
        db.session.commit()
    documents = count_documents(app)

    again = official.step3(pdf=good_bytes(), submission_key=KEY)

    assert again.status_code == 302
    assert count_documents(app) == documents


def count_documents(app) -> int:
    """Return how many SK documents are stored."""
    from pamong.documents.models import Document

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))
