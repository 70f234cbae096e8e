"""A real OpenID provider (npm's oidc-provider, pinned in tests/oidc/package-lock.json) on loopback for
the single sign-on tests, installed with `npm ci` on first use. When it cannot be installed or started
the tests fail, loudly: single sign-on is a door, and an untested door is not left to chance."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from tests.e2e.support import free_port

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "lantern"
CLIENT_SECRET = "a-client-secret-for-tests-only"
# A second application registered at the same provider: its tokens must not open Lantern.
OTHER_CLIENT_ID = "another-app"
OTHER_CLIENT_SECRET = "another-secret-for-tests-only"


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[str]


def _install() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the single sign-on tests (Node 20 or newer)")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def openid_provider(
    public_url: str, *, issuer_host: str = "127.0.0.1", claims_in_id_token: bool = False
) -> Iterator[RunningProvider]:
    """The provider, with Lantern (redirects to public_url) and another application as clients. With
    claims_in_id_token the email (and hd, tid) come in the ID token, as Google and Entra send them;
    otherwise from the userinfo endpoint."""
    _install()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed for the single sign-on tests")
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": [public_url + "/staff/sign-in/oidc/callback"],
            "post_logout_redirect_uris": [public_url + "/staff/sign-in"],
        }
        for client_id, secret in ((CLIENT_ID, CLIENT_SECRET), (OTHER_CLIENT_ID, OTHER_CLIENT_SECRET))
    ]
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "ISSUER_HOST": issuer_host,
        "CLIENTS": json.dumps(clients),
    }
    env["ID_TOKEN_CLAIMS"] = "1" if claims_in_id_token else "0"
    errors = tempfile.TemporaryFile(mode="w+")  # a file, so its warnings never fill a pipe
    process = subprocess.Popen(
        [node, "provider.mjs"], cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until it listens, or until it exits
    if not line.startswith("listening"):
        process.kill()
        errors.seek(0)
        raise RuntimeError(f"the OpenID provider did not start: {line}{errors.read()}")
    try:
        yield RunningProvider(issuer=f"http://{issuer_host}:{port}", process=process)
    finally:
        process.kill()
        process.wait()
        errors.close()


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, f"no form on the provider's page:\n{html[:800]}"
    fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    return action.group(1), fields


def log_in_at_provider(provider_url: str, login: str, callback_prefix: str, browser: httpx.Client) -> str:
    """Follows the provider's own pages as a person would (login form, then consent) and returns the
    callback URL it sends the browser back to, without following it."""
    response = browser.get(provider_url)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(callback_prefix):
                return location
            response = browser.get(location)
            continue
        html = response.text
        action, fields = _form(html)
        target = urljoin(str(response.url), action)
        if 'name="login"' in html:
            fields.update(login=login, password="any password")
        response = browser.post(target, data=fields)
    raise AssertionError(f"the provider never sent the browser back (last page {response.url})")


def asks_for_login(provider_url: str, callback_prefix: str, browser: httpx.Client) -> bool:
    """Whether the provider shows its login form (rather than vouching at once for a session it has)."""
    response = browser.get(provider_url)
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(callback_prefix):
            return False
        response = browser.get(location)
    return 'name="login"' in response.text


def confirm_sign_out(logout_url: str, browser: httpx.Client) -> str:
    """Answers "yes" on the provider's sign-out page; returns where it sends the browser after."""
    page = browser.get(logout_url)
    action, fields = _form(page.text)
    done = browser.post(urljoin(str(page.url), action), data={**fields, "logout": "yes"})
    assert done.is_redirect, done.text[:500]
    return done.headers["location"]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")
