"""E-mail transport against a real local SMTP server (aiosmtpd): plain, login, STARTTLS, SMTPS."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("aiosmtpd", reason="aiosmtpd (test extra) is needed for the local SMTP server")

from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from yuqing.notify.transports import Message  # noqa: E402
from yuqing.notify.transports import email as email_transport

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ALERT = Message(
    title="某中学食堂饭菜发霉引发家长关注",
    text="评论数 120 ≥ 100\n\n来源：微博 <script>",
    url="https://yuqing.example.edu.cn/events/42?a=1&b=2",
    level="重大",
    event_id=42,
)


def config(port: int, **options) -> email_transport.Config:
    values = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_addr": "舆情监测 <yuqing@school.example.cn>",
        "to_addrs": ("duty@school.example.cn", "王老师 <wang@school.example.cn>"),
    }
    values.update(options)
    return email_transport.Config(**values)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def test_alert_mail_arrives_with_chinese_subject_and_both_bodies(smtp_server):
    handler, port = smtp_server()
    result = email_transport.send(config(port), ALERT, now=NOW)

    assert result.ok, result.error
    assert result.status_code == 250
    assert result.provider_response == "250 2.0.0 Ok: queued as TEST123"
    [mail] = handler.received
    assert mail.mail_from == "yuqing@school.example.cn"
    assert mail.rcpt_tos == ["duty@school.example.cn", "wang@school.example.cn"]
    raw_subject = next(line for line in mail.content.split(b"\r\n") if line.startswith(b"Subject:"))
    assert raw_subject.startswith(b"Subject: =?utf-8?")  # RFC 2047 encoded, 7-bit clean
    message = parse(mail.content)
    assert message["Subject"] == "【重大】某中学食堂饭菜发霉引发家长关注"
    assert message["From"].addresses[0].display_name == "舆情监测"
    assert message["Date"] == "Wed, 01 May 2024 08:30:00 +0800"
    assert message["X-Yuqing-Event"] == "42"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "评论数 120 ≥ 100" in plain and "查看详情：https://yuqing.example.edu.cn/events/42?a=1&b=2" in plain
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="https://yuqing.example.edu.cn/events/42?a=1&amp;b=2"' in html


def test_login_is_used_when_configured(smtp_server):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right", handled=False)

    handler, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    assert email_transport.send(config(port, username="yq", password="right"), ALERT, now=NOW).ok
    assert logins == [(b"yq", b"right")]
    assert len(handler.received) == 1


def test_wrong_password_fails_without_retry(smtp_server):
    handler, port = smtp_server(
        authenticator=lambda *args: AuthResult(success=False, handled=False), auth_require_tls=False
    )
    result = email_transport.send(config(port, username="yq", password="wrong"), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.status_code == 535 and result.error == "login failed"
    assert handler.received == []


def test_starttls_with_the_school_certificate_authority(smtp_server, tls_files, server_tls):
    handler, port = smtp_server(tls_context=server_tls, require_starttls=True)
    result = email_transport.send(
        config(port, security="starttls", ca_file=str(tls_files[0])), ALERT, now=NOW
    )
    assert result.ok, result.error
    assert len(handler.received) == 1


def test_starttls_refuses_an_untrusted_certificate(smtp_server, tls_files, server_tls):
    handler, port = smtp_server(tls_context=server_tls, require_starttls=True)
    result = email_transport.send(config(port, security="starttls"), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error.startswith("TLS failed")
    assert handler.received == []


def test_plain_connection_to_a_server_requiring_starttls_is_refused(smtp_server, tls_files, server_tls):
    handler, port = smtp_server(tls_context=server_tls, require_starttls=True)
    result = email_transport.send(config(port, security="none"), ALERT, now=NOW)
    assert not result.ok and result.status_code == 530
    assert handler.received == []


def test_implicit_tls_smtps(smtp_server, tls_files, server_tls):
    handler, port = smtp_server(ssl_context=server_tls)
    result = email_transport.send(config(port, security="ssl", ca_file=str(tls_files[0])), ALERT, now=NOW)
    assert result.ok, result.error
    assert len(handler.received) == 1


def test_one_refused_recipient_does_not_stop_the_others(smtp_server):
    handler, port = smtp_server()
    result = email_transport.send(
        config(port, to_addrs=("nobody@school.example.cn", "duty@school.example.cn")), ALERT, now=NOW
    )
    assert result.ok
    assert "refused: nobody@school.example.cn: 550 5.1.1 no such user" in result.provider_response
    assert handler.received[0].rcpt_tos == ["duty@school.example.cn"]


def test_all_recipients_refused_is_a_permanent_failure(smtp_server):
    handler, port = smtp_server()
    result = email_transport.send(config(port, to_addrs=("nobody@school.example.cn",)), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error == "every recipient was refused"
    assert handler.received == []


def test_unreachable_mail_server_is_retryable(closed_port):
    result = email_transport.send(config(closed_port), ALERT, now=NOW, timeout=2)
    assert not result.ok and result.retryable
    assert "ConnectionRefused" in result.error


def test_build_request_shows_the_message_without_sending():
    prepared = email_transport.build_request(config(25), ALERT, NOW)
    assert prepared.method == "SMTP" and prepared.url == "smtp://127.0.0.1:25"
    assert prepared.headers["Subject"] == "【重大】某中学食堂饭菜发霉引发家长关注"
    assert parse(prepared.body).get_body(("plain",)).get_content().startswith("【重大】")
