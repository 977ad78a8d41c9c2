"""Fake Microsoft side of a Teams bot: token service, OpenID metadata, key set, connector.

- POST /{tenant}/oauth2/v2.0/token: client-credentials grant as login.microsoftonline.com
  answers it (access_token, expires_in); any other tenant, id or secret gets 401.
- GET /v1/.well-known/openidconfiguration -> {"issuer", "jwks_uri", ...} as
  login.botframework.com publishes it; GET /v1/keys: the RSA public keys, with endorsements.
- POST /v3/conversations/{id}/activities: the connector; it demands the issued token.
- `channel_token(...)` signs what the Bot Framework channel sends the bot (RS256, kid, iss,
  aud, serviceUrl); each argument can be bent to forge a bad token.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes.server import FakeServer, Received, Reply

ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeBotFramework(FakeServer):
    def __init__(self, app_id: str, app_password: str, tenant_id: str) -> None:
        super().__init__()
        self.app_id, self.app_password, self.tenant_id = app_id, app_password, tenant_id
        self.keys: dict[str, rsa.RSAPrivateKey] = {"key-1": new_key()}
        self.issued: list[str] = []
        self.token_lifetime = 3600
        self.rate_limit_next = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.activities: list[dict[str, Any]] = []
        self.route("POST", f"/{tenant_id}/oauth2/v2.0/token", self.token)
        self.route("GET", "/v1/.well-known/openidconfiguration", self.metadata)
        self.route("GET", "/v1/keys", self.jwks)
        self.route("POST", "/v3/conversations/", self.connector)
        self.route("POST", "/", lambda _: Reply(401, {"error": "invalid_tenant"}))

    # -- what the bot's configuration points at
    @property
    def token_url(self) -> str:
        return f"{self.url}/{{tenant}}/oauth2/v2.0/token"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def service_url(self) -> str:
        return f"{self.url}/"

    # -- Microsoft identity platform
    def token(self, request: Received) -> Reply:
        form = request.form()
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_id") != self.app_id
            or form.get("client_secret") != self.app_password
            or form.get("scope") != "https://api.botframework.com/.default"
        ):
            return Reply(401, {"error": "invalid_client"})
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.issued.append(token)
        return Reply(
            200,
            {"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token},
        )

    def metadata(self, request: Received) -> Reply:
        return Reply(
            200,
            {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": f"{self.url}/v1/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            },
        )

    def jwks(self, request: Received) -> Reply:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "endorsements": ["msteams"]})
        return Reply(200, {"keys": keys})

    # -- Bot Framework connector
    def connector(self, request: Received) -> Reply:
        auth = request.headers.get("authorization", "")
        with self._lock:
            if not auth.startswith("Bearer ") or auth[7:] not in self.issued:
                return Reply(401, {"error": {"code": "Unauthorized"}})
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"})
        parts = request.path.split("/")
        if len(parts) < 5 or parts[4] != "activities":
            return Reply(404, {"error": {"code": "NotFound"}})
        activity = request.json()
        activity["_conversation"] = unquote(parts[3])
        with self._lock:
            self.activities.append(activity)
        return Reply(200, {"id": f"act{next(self._ids)}"})

    def received_activities(self, conversation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                a
                for a in self.activities
                if conversation is None or a["_conversation"] == conversation
            ]

    # -- the Bot Framework channel calling the bot
    def channel_token(
        self,
        *,
        kid: str = "key-1",
        issuer: str = ISSUER,
        audience: str | None = None,
        service_url: str | None = None,
        expires_in: int = 3600,
        algorithm: str = "RS256",
        key: Any = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": self.app_id if audience is None else audience,
            "serviceUrl": self.service_url if service_url is None else service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        if algorithm == "none":
            # "" is what PyJWT's typed signature accepts for "none"; it turns it into None
            return jwt.encode(claims, "", algorithm="none", headers={"kid": kid})
        signing_key = self.keys[kid] if key is None else key
        return jwt.encode(claims, signing_key, algorithm=algorithm, headers={"kid": kid})


def message_activity(
    text: str | None,
    service_url: str,
    user: str = "29:user-aad-1",
    conversation: str = "a:personal-conv-1",
    conversation_type: str = "personal",
    value: Any = None,
    app_id: str = "app-id",
) -> dict[str, Any]:
    """A message activity as Teams sends it (learn.microsoft.com: Bot Framework Activity schema)."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"{time.time():.0f}{secrets.randbelow(10**6)}",
        "timestamp": "2026-11-27T15:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user, "name": "Camille Martin", "aadObjectId": "00000000-aaaa"},
        "conversation": {
            "id": conversation,
            "conversationType": conversation_type,
            "tenantId": "tenant-1",
        },
        "recipient": {"id": f"28:{app_id}", "name": "Conseiller IT"},
        "textFormat": "plain",
        "locale": "fr-FR",
        "channelData": {"tenant": {"id": "tenant-1"}},
    }
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
    return activity
