"""The project keeps its promises: README commands exist, catalogs are current, the CLI works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANTERN = str(Path(sys.executable).with_name("lantern"))


def test_readme_commands_are_make_targets() -> None:
    readme = (ROOT / "README.md").read_text()
    help_text = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    targets = set(re.findall(r"make ([a-z-]+)", help_text))
    mentioned = set(re.findall(r"`make ([a-z-]+)`", readme)) | set(
        re.findall(r"^make ([a-z-]+)", readme, re.M)
    )
    assert {"run", "test"} <= mentioned
    assert mentioned <= targets, mentioned - targets


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_template_catalog_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract",
            "--mapping-file=locales/babel.cfg", "--keywords=N_", "--add-comments=Translators:",
            "--sort-by-file", "--omit-header", "--project=Lantern", f"--output-file={fresh}", ".",
        ],
        cwd=ROOT, capture_output=True, check=True,
    )  # fmt: skip
    assert fresh.read_text() == (ROOT / "locales" / "messages.pot").read_text(), "run `make update-catalogs`"


def _cli(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANTERN_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return subprocess.run(
        [LANTERN, *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


def test_cli_migrate_and_staff_add(tmp_path: Path) -> None:
    assert _cli("migrate", data_dir=tmp_path).returncode == 0
    assert (tmp_path / "lantern.sqlite").exists()
    short = _cli(
        "staff", "add", "a@school.example", "--role", "responder", data_dir=tmp_path, stdin="short\n"
    )
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    unknown = _cli(
        "staff", "add", "a@school.example", "--school", "nowhere", "--role", "responder",
        data_dir=tmp_path, stdin="a long enough password\n",
    )  # fmt: skip
    assert unknown.returncode != 0 and "Unknown school: nowhere" in unknown.stderr
    ok = _cli(
        "staff",
        "add",
        "a@school.example",
        "--role",
        "analyst",
        data_dir=tmp_path,
        stdin="a long enough password\n",
    )
    assert ok.returncode == 0, ok.stderr
    import sqlite3

    row = (
        sqlite3.connect(tmp_path / "lantern.sqlite")
        .execute("select email, role, password_hash from staff_account")
        .fetchone()
    )
    assert row[0] == "a@school.example" and row[1] == "analyst"
    assert row[2].startswith("$argon2id$") and "a long enough password" not in row[2]


def test_cli_reset_password_refuses_common_passwords_and_ends_sessions(tmp_path: Path) -> None:
    import sqlite3

    _cli("migrate", data_dir=tmp_path)
    assert (
        _cli(
            "staff",
            "add",
            "b@school.example",
            "--role",
            "analyst",
            data_dir=tmp_path,
            stdin="first long password\n",
        ).returncode
        == 0
    )
    database = sqlite3.connect(tmp_path / "lantern.sqlite")
    staff_id = database.execute("select id from staff_account").fetchone()[0]
    database.execute(
        "insert into staff_session (token_hash, staff, created_at, last_seen_at) values ('x', ?, datetime('now'), datetime('now'))",
        (staff_id,),
    )
    database.commit()
    common = _cli("staff", "reset-password", "b@school.example", data_dir=tmp_path, stdin="password1234\n")
    assert common.returncode != 0 and "commonly used" in common.stderr
    done = _cli(
        "staff", "reset-password", "b@school.example", data_dir=tmp_path, stdin="second long password\n"
    )
    assert done.returncode == 0, done.stderr
    assert database.execute("select ended_at from staff_session").fetchone()[0] is not None
    missing = _cli("staff", "reset-password", "nobody@school.example", data_dir=tmp_path, stdin="x\n")
    assert missing.returncode != 0 and "No account" in missing.stderr


def test_committed_migrations_match_the_tables(tmp_path: Path) -> None:
    """A table change without its migration would break every installation that upgrades."""
    env = {
        **os.environ,
        "LANTERN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "PICCOLO_CONF": "web.piccolo_conf",
    }
    piccolo = str(Path(sys.executable).with_name("piccolo"))
    for app in ("district", "staff", "resources", "cases"):
        folder = ROOT / "web" / app / "piccolo_migrations"
        before = set(folder.glob("*.py"))
        result = subprocess.run(
            [piccolo, "migrations", "new", app, "--auto"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for extra in set(folder.glob("*.py")) - before:
            extra.unlink()
        assert "No changes detected" in result.stdout, f"{app}: run `piccolo migrations new {app} --auto`"


def test_every_test_the_threat_model_names_exists() -> None:
    """docs/THREAT_MODEL.md links each control to its proof: those tests must exist."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "THREAT_MODEL.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) >= 15
    last_file = None
    for file, test in named:
        path = root / file
        assert path.exists(), file
        last_file = path
        if test:
            assert f"def {test}(" in path.read_text(), f"{file}::{test}"
    # "`::name`" continues the file named just before it.
    for test in re.findall(r"`::(\w+)`", text):
        assert any(f"def {test}(" in p.read_text() for p in (root / "tests").rglob("test_*.py")), test
    assert last_file is not None
