"""`flask create-officer`: prompted or scripted password, admins, and refusals with a clear message."""
import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from marketplace.models import Role, User
from marketplace.services import accounts
from tests import factories

PASSWORD = "Dinas2026blitar"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def officers(session) -> list[User]:
    session.expire_all()
    return session.scalars(select(User).where(User.role != Role.BUYER)).all()


def test_the_password_is_asked_for_twice(runner, session):
    result = runner.invoke(args=["create-officer", "Petugas@BlitarKab.go.id", "--name", "Bu Ani"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat the password:" in result.output
    assert PASSWORD not in result.output
    assert "Created officer petugas@blitarkab.go.id." in result.output
    [officer] = officers(session)
    assert (officer.email, officer.name, officer.role) == ("petugas@blitarkab.go.id", "Bu Ani", Role.OFFICER)
    assert check_password_hash(officer.password_hash, PASSWORD)


def test_different_passwords_at_the_prompt_create_nothing(runner, session):
    result = runner.invoke(args=["create-officer", "petugas@blitarkab.go.id"], input=f"{PASSWORD}\nlain2026xx\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert officers(session) == []


def test_a_script_passes_the_password_and_makes_an_admin(app, runner, session):
    result = runner.invoke(args=["create-officer", "admin@blitarkab.go.id", "--password", PASSWORD, "--admin",
                                 "--language", "en"])

    assert result.exit_code == 0, result.output
    [admin] = officers(session)
    assert admin.role == Role.ADMIN and admin.preferred_language == "en"
    client = app.test_client()
    client.post("/akun/masuk", data={"email": "admin@blitarkab.go.id", "password": PASSWORD})
    assert client.get("/petugas/").status_code == 200


@pytest.mark.parametrize("email", ["petugas@blitarkab.go.id", "PETUGAS@BlitarKab.go.id"])
def test_an_e_mail_already_in_use_is_refused_and_left_alone(runner, session, email):
    existing = factories.make_user(session, email="petugas@blitarkab.go.id", name="Pembeli Lama")

    result = runner.invoke(args=["create-officer", email, "--password", PASSWORD, "--admin"])

    assert result.exit_code == 1
    assert "An account with e-mail petugas@blitarkab.go.id already exists; nothing was changed." in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == 1
    assert (existing.role, existing.name) == (Role.BUYER, "Pembeli Lama")
    assert check_password_hash(existing.password_hash, factories.PASSWORD)


def test_a_taken_e_mail_is_refused_before_asking_for_a_password(runner, session):
    factories.make_user(session, email="petugas@blitarkab.go.id")

    result = runner.invoke(args=["create-officer", "petugas@blitarkab.go.id"], input="")

    assert result.exit_code == 1
    assert "Password:" not in result.output


@pytest.mark.parametrize("args, message", [
    (["petugas@blitarkab.go.id", "--password", "kopi2"], "at least 8 characters"),
    (["petugas@blitarkab.go.id", "--password", "12345678"], "too easy to guess"),
    (["petugas@blitarkab.go.id", "--password", "password"], "too easy to guess"),
    (["bukan-email", "--password", PASSWORD], "is not a valid e-mail address"),
    (["petugas@blitarkab.go.id", "--name", "  ", "--password", PASSWORD], "The name must not be empty."),
])
def test_bad_input_is_refused_with_a_message(runner, session, args, message):
    result = runner.invoke(args=["create-officer", *args])

    assert result.exit_code == 1
    assert message in result.output
    assert officers(session) == []


def test_officers_log_in_through_the_service(runner, session):
    runner.invoke(args=["create-officer", "petugas@blitarkab.go.id", "--password", PASSWORD])

    user = accounts.authenticate(session, "petugas@blitarkab.go.id", PASSWORD)

    assert user is not None and user.is_officer and not user.is_admin
