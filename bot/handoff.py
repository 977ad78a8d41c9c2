"""Delivery of leads (consented contact requests) to the consultants: webhook and/or e-mail.

A lead is stored first (``knowledge.records``), then delivered. A destination that is down keeps
the lead: it is tried again every ``LEAD_RETRY_SECONDS`` by a background thread of the action
server (``ensure_retry_worker``) or by ``python -m bot.handoff retry``. Each lead is claimed
before sending (conditional UPDATE) and marked delivered after, so it arrives once.

With ``LEAD_WEBHOOK_SECRET`` each webhook POST is signed, so the receiver can refuse a forged or
replayed lead: ``X-Conseil-Timestamp`` (Unix seconds) and ``X-Conseil-Signature: sha256=<hex>``,
the HMAC-SHA256 of ``"<timestamp>." + body`` with the secret (``signature_header``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage

from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0
SUBJECT = "Demande de contact : plan d’externalisation informatique"


class DeliveryError(RuntimeError):
    """The destination did not accept the lead; it stays pending."""


@dataclass
class DeliveryRun:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def lead_payload(lead: object) -> dict:
    from knowledge.records import Lead

    assert isinstance(lead, Lead)
    return {
        "type": "lead",
        "version": 1,
        "lead": {
            "id": lead.id,
            "name": lead.name,
            "email": lead.email,
            "consented_at": lead.consented_at.isoformat(),
            "consent_text": lead.consent_text,
        },
        "plan": lead.plan,
    }


def signature_header(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + HMAC-SHA256 of ``"<timestamp>." + body``: what the receiver recomputes."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _post_webhook(url: str, payload: dict, secret: str | None = None) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if secret:
        timestamp = str(int(time.time()))
        headers["X-Conseil-Timestamp"] = timestamp
        headers["X-Conseil-Signature"] = signature_header(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"webhook HTTP {response.status}")
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"webhook HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"webhook injoignable : {error}") from None


def _send_mail(settings: Settings, lead: object, payload: dict) -> None:
    from knowledge.records import Lead
    from knowledge.report import render_lead_text

    assert isinstance(lead, Lead) and settings.lead_smtp_host and settings.lead_email_to
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = settings.lead_email_from
    message["To"] = settings.lead_email_to
    message["Reply-To"] = lead.email
    message.set_content(
        render_lead_text(
            name=lead.name,
            email=lead.email,
            consent_text=lead.consent_text,
            consented_at=lead.consented_at,
            plan=lead.plan,
        )
    )
    message.add_attachment(
        json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename="demande.json",
    )
    try:
        with smtplib.SMTP(
            settings.lead_smtp_host, settings.lead_smtp_port, timeout=TIMEOUT_S
        ) as smtp:
            if settings.lead_smtp_starttls:
                smtp.starttls()
            if settings.lead_smtp_user:
                smtp.login(settings.lead_smtp_user, settings.lead_smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP injoignable : {error}") from None


def deliver(lead: object, settings: Settings) -> None:
    """Send one lead to every configured destination; raises DeliveryError."""
    payload = lead_payload(lead)
    if settings.lead_webhook_url:
        _post_webhook(settings.lead_webhook_url, payload, settings.lead_webhook_secret)
    if settings.lead_smtp_host:
        _send_mail(settings, lead, payload)


def deliver_pending(settings: Settings | None = None, *, limit: int = 20) -> DeliveryRun:
    """Try every pending lead once (those whose retry delay has passed)."""
    from knowledge.records import claim_pending_lead, mark_delivered, mark_failed, records_session

    settings = settings or get_settings()
    run = DeliveryRun()
    if not settings.handoff_configured:
        return run
    for _ in range(limit):
        with records_session() as session, session.begin():
            lead = claim_pending_lead(session=session)
        if lead is None:
            break
        try:
            deliver(lead, settings)
        except DeliveryError as error:
            logger.warning("lead %s not delivered: %s", lead.id, error)
            with records_session() as session, session.begin():
                mark_failed(
                    session=session,
                    lead_id=lead.id,
                    error=str(error),
                    retry_in_seconds=settings.lead_retry_seconds,
                )
            run.failed.append(lead.id)
            continue
        with records_session() as session, session.begin():
            mark_delivered(session=session, lead_id=lead.id)
        run.delivered.append(lead.id)
    return run


def deliver_lead_now(lead_id: int, settings: Settings | None = None) -> bool:
    """Right after the consent: try this lead (and any other pending); True if it arrived."""
    return lead_id in deliver_pending(settings).delivered


_worker_lock = threading.Lock()
_worker: threading.Thread | None = None
_stop = threading.Event()


def ensure_retry_worker(settings: Settings | None = None) -> None:
    """Start (once per process) the thread that retries pending leads."""
    global _worker
    settings = settings or get_settings()
    with _worker_lock:
        if _worker is not None and _worker.is_alive():
            return
        stop = _stop
        stop.clear()

        def loop() -> None:
            while not stop.wait(settings.lead_retry_seconds):
                try:
                    deliver_pending(settings)
                except Exception:
                    logger.exception("lead retry failed")

        _worker = threading.Thread(target=loop, name="lead-retry", daemon=True)
        _worker.start()


def stop_retry_worker(timeout: float = 10.0) -> None:
    """Stop the retry thread (tests, or a clean shutdown); pending leads stay stored."""
    global _worker
    with _worker_lock:
        worker, _worker = _worker, None
        _stop.set()
    if worker is not None:
        worker.join(timeout)


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.handoff retry`: deliver the pending leads now."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["retry"]:
        print("Usage : python -m bot.handoff retry", file=sys.stderr)
        return 2
    run = deliver_pending()
    print(f"Demandes transmises : {len(run.delivered)} ; en attente : {len(run.failed)}")
    return 0 if not run.failed else 1


if __name__ == "__main__":
    sys.exit(main())
