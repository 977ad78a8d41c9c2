"""The Rasa server as `make run` starts it: Rasa's own command line, after the project's patches.

Usage: python -m bot.rasa_server run --model … (the arguments of `rasa run`).
Each module of `bot.patches` repairs or tunes one thing of Rasa 3.6.21 inside this process; they
are applied here, before Rasa builds its server, and only in the server process.

Rasa's HTTP API (`--enable-api`) is refused without JWT authentication: the secret comes from
the RASA_API_JWT_SECRET setting and is added to the arguments inside this process only, so it
never shows in the process list or in a file.
"""

from __future__ import annotations

import sys

from bot.patches import apply_all

API_FLAG = "--enable-api"


def with_api_auth(args: list[str], jwt_secret: str | None) -> list[str]:
    """`args` with the JWT options when the API is enabled; SystemExit when no secret is set."""
    if API_FLAG not in args:
        return args
    if "--auth-token" in args or "--jwt-secret" in args:
        sys.exit("Erreur : passez le secret de l'API par RASA_API_JWT_SECRET, pas en argument.")
    if not jwt_secret:
        sys.exit(
            "Erreur : l'API HTTP de Rasa (--enable-api) exige RASA_API_JWT_SECRET "
            "(authentification JWT) ; sans lui, elle reste fermée."
        )
    return [*args, "--jwt-secret", jwt_secret, "--jwt-method", "HS256"]


def main(argv: list[str] | None = None) -> None:
    from bot.settings import get_settings

    args = list(sys.argv[1:] if argv is None else argv)
    args = with_api_auth(args, get_settings().rasa_api_jwt_secret)
    apply_all()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
