"""E-mail over SMTP (plain, STARTTLS or SSL; optional login), plain text with an HTML alternative."""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr

from yuqing.notify.transports.message import (
    DEFAULT_TIMEOUT,
    ConfigError,
    DeliveryResult,
    Message,
    PreparedRequest,
    TransportConfig,
    now_shanghai,
)
from yuqing.outbound import BlockedDestination, smtp_connection

KIND = "email"
RATE_LIMIT_PER_MINUTE = 60
SECURITY_MODES = ("starttls", "ssl", "none")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Config(TransportConfig):
    host: str
    from_addr: str
    to_addrs: tuple[str, ...]
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = ""
    verify_tls: bool = True
    ca_file: str = ""  # for a school's own mail server with a private certificate authority

    SECRET_FIELDS = ("password",)

    @property
    def rate_key(self) -> str:
        return f"{KIND}:{self.host}"

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not self.host or re.search(r"[\s/]", self.host):
            problems["host"] = "must be a host name or IP address"
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            problems["port"] = "must be a port number between 1 and 65535"
        if self.security not in SECURITY_MODES:
            problems["security"] = f"must be one of {', '.join(SECURITY_MODES)}"
        if not _ADDRESS.match(parseaddr(self.from_addr or "")[1]):
            problems["from_addr"] = "must be an e-mail address"
        if not self.to_addrs:
            problems["to_addrs"] = "needs at least one recipient"
        for address in self.to_addrs:
            if not _ADDRESS.match(parseaddr(address)[1]):
                problems["to_addrs"] = f"{address!r} is not an e-mail address"
                break
        if self.password and not self.username:
            problems["username"] = "is required when a password is given"
        return problems


def _html_body(message: Message) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in message.text.split("\n\n") if block
    )
    link = f'<p><a href="{html.escape(message.url, quote=True)}">查看详情</a></p>' if message.url else ""
    footer = "".join(f'<p style="color:#666">{html.escape(line)}</p>' for line in message.footer_lines())
    level = message.level_enum
    colour = {"blue": "#1e6fd9", "yellow": "#c9a100", "orange": "#e46c0a", "red": "#c00000"}.get(
        level.color if level else "", "#333"
    )
    return (
        '<!DOCTYPE html><html><body style="font-family:sans-serif">'
        f'<h3 style="color:{colour}">{html.escape(message.headline)}</h3>{paragraphs}{link}{footer}'
        "</body></html>"
    )


def build_message(config: Config, message: Message, now: datetime) -> EmailMessage:
    """The MIME message: the subject and names are RFC 2047-encoded by the SMTP policy on output."""
    email = EmailMessage(policy=SMTP_POLICY)
    email["Subject"] = message.headline
    email["From"] = config.from_addr
    email["To"] = ", ".join(config.to_addrs)
    email["Date"] = format_datetime(now)
    domain = parseaddr(config.from_addr)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(domain=domain)
    if message.event_id is not None:
        email["X-Yuqing-Event"] = str(message.event_id)
    # base64 keeps Chinese bodies 7-bit clean, so servers without 8BITMIME accept them too.
    email.set_content(message.as_plain_text(), subtype="plain", charset="utf-8", cte="base64")
    email.add_alternative(_html_body(message), subtype="html", charset="utf-8", cte="base64")
    return email


def build_request(config: Config, message: Message, now: datetime) -> PreparedRequest:
    """The message as it will be handed to the server after DATA (for previews and tests)."""
    email = build_message(config, message, now)
    headers = {name: str(value) for name, value in email.items()}
    return PreparedRequest(f"smtp://{config.host}:{config.port}", headers, email.as_bytes(), method="SMTP")


def _tls_context(config: Config) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.ca_file or None)
    if not config.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _connect(config: Config, timeout: float, policy) -> smtplib.SMTP:
    if policy is not None:  # through the outbound guard: the checked address, the name for TLS
        context = _tls_context(config) if config.security == "ssl" else None
        return smtp_connection(config.host, config.port, timeout=timeout, ssl_context=context, policy=policy)
    if config.security == "ssl":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=_tls_context(config))
    return smtplib.SMTP(config.host, config.port, timeout=timeout)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"


def send(
    config: Config,
    message: Message,
    *,
    client: smtplib.SMTP | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    now: datetime | None = None,
    policy=None,
) -> DeliveryResult:
    """Deliver to every recipient; `client` may be an already connected SMTP session (left open); `policy`, an
    outbound guard policy (yuqing.outbound.Policy) the server's address must pass."""
    try:
        config.validate()
    except ConfigError as error:
        return DeliveryResult.invalid_config(error)
    email = build_message(config, message, now or now_shanghai())
    sender = parseaddr(config.from_addr)[1]
    recipients = [parseaddr(address)[1] for address in config.to_addrs]
    smtp: smtplib.SMTP | None = client
    try:
        if smtp is None:
            smtp = _connect(config, timeout, policy)
            smtp.ehlo()
            if config.security == "starttls":
                smtp.starttls(context=_tls_context(config))
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
        code, text = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, text, sender)
        refused: dict[str, str] = {}
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = _reply(code, text)
        if len(refused) == len(recipients):
            smtp.rset()
            temporary = all(reply.startswith("4") for reply in refused.values())
            detail = "; ".join(f"{r}: {reply}" for r, reply in refused.items())
            return DeliveryResult.with_response(
                ok=False, status_code=code, response=detail, error="every recipient was refused", retryable=temporary
            )
        code, text = smtp.data(email.as_bytes())
        response = _reply(code, text)
        if refused:
            response += " | refused: " + "; ".join(f"{r}: {reply}" for r, reply in refused.items())
        if code != 250:
            return DeliveryResult.with_response(
                ok=False, status_code=code, response=response, error="the message was not accepted",
                retryable=400 <= code < 500,
            )
        return DeliveryResult.with_response(ok=True, status_code=code, response=response)
    except BlockedDestination as error:
        return DeliveryResult(ok=False, error=f"refused: {error}", retryable=False)
    except smtplib.SMTPAuthenticationError as error:
        return _failure(error, "login failed", retryable=False)
    except smtplib.SMTPNotSupportedError as error:
        return DeliveryResult(ok=False, error=f"server does not support this: {error}", retryable=False)
    except smtplib.SMTPResponseException as error:
        return _failure(error, "server refused", retryable=400 <= error.smtp_code < 500)
    except ssl.SSLError as error:
        return DeliveryResult(ok=False, error=f"TLS failed: {error}", retryable=False)
    except (smtplib.SMTPException, OSError) as error:
        # Disconnections, refused connections and timeouts are worth another try later.
        return DeliveryResult(ok=False, error=f"{type(error).__name__}: {error}", retryable=True)
    finally:
        if smtp is not None and client is None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _failure(error: smtplib.SMTPResponseException, what: str, *, retryable: bool) -> DeliveryResult:
    return DeliveryResult.with_response(
        ok=False, status_code=error.smtp_code, response=_reply(error.smtp_code, error.smtp_error),
        error=what, retryable=retryable,
    )
