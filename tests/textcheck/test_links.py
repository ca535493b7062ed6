"""Links: extraction, the domain allow list, and the opt-in broken-link check against a local server."""

import http.server
import threading

import pytest

from yuqing.textcheck import LinkPolicy, TextChecker, check_broken_links, extract_links


def test_links_are_extracted_without_trailing_chinese_punctuation():
    text = "详见https://www.moe.gov.cn/jyb/a.html。另见 www.example.com/x?y=1，谢谢"
    links = extract_links(text)
    assert [link.url for link in links] == ["https://www.moe.gov.cn/jyb/a.html", "www.example.com/x?y=1"]
    assert [text[link.start:link.end] for link in links] == [link.url for link in links]


def test_domains_outside_the_allow_list_are_flagged_and_subdomains_are_allowed():
    checker = TextChecker(links=LinkPolicy(allowed_domains=["school.edu.cn"]))
    findings = [f for f in checker.check("见 http://news.school.edu.cn/1 和 http://school.edu.cn.evil.com/2")
                if f.category == "link"]
    assert [(f.rule_id, f.normalized) for f in findings] == [("link.domain_not_allowed", "school.edu.cn.evil.com")]


def test_default_allow_list_accepts_government_sites():
    assert [f for f in TextChecker().check("http://www.gov.cn/zhengce/") if f.category == "link"] == []


@pytest.fixture
def local_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/ok")
            else:
                self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_broken_link_is_reported_and_working_links_are_not(local_server):
    text = f"好链接 {local_server}/ok ，跳转 {local_server}/moved ，坏链接 {local_server}/gone 。"
    findings = check_broken_links(text, allow_private=True, timeout=2)
    assert [(f.rule_id, f.matched) for f in findings] == [("link.broken", f"{local_server}/gone")]
    assert "404" in findings[0].suggestion


def test_private_addresses_are_refused_unless_allowed(local_server):
    (finding,) = check_broken_links(f"{local_server}/ok", timeout=2)
    assert "refused" in finding.suggestion


def test_links_are_not_requested_unless_asked(local_server):
    checker = TextChecker(links=LinkPolicy(allowed_domains=["127.0.0.1"]))
    assert checker.check(f"{local_server}/gone") == []
    assert [f.rule_id for f in checker.check(f"{local_server}/gone", check_links=True, allow_private=True)] == [
        "link.broken"
    ]
