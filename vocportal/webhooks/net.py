"""Outbound HTTP for webhooks that only ever reaches an address it has checked.

Webhook URLs are typed by people, so they are untrusted: without checks a URL such as
`http://169.254.169.254/` or `http://localhost:6379/` would make the worker probe the
cloud metadata service or services on the portal's own network (SSRF).

How the check holds:

- The host is resolved once, here, and every address it resolves to is checked with the
  `ipaddress` module: loopback, private, link-local, multicast, reserved, unspecified or
  otherwise non-global addresses are refused (IPv4 addresses embedded in IPv6 ones, such
  as `::ffff:127.0.0.1`, are checked as the IPv4 address). One bad address refuses the
  whole host, so a name cannot mix a public address with an internal one.
- The socket is then opened to the *checked* address itself, not to the host name, so a
  second DNS answer cannot differ from the first (DNS rebinding between check and
  connect). After connecting, the peer address of the socket is checked again.
- The request itself goes over that socket with `http.client`: the `Host` header and the
  TLS server name (SNI and certificate check) still use the host name from the URL.
  `http.client` follows no redirects (a 3xx is just a failed attempt) and ignores
  `HTTP(S)_PROXY` variables, which could otherwise send the request somewhere else.
  Neither `requests` nor `httpx` is a dependency of the portal, and pinning the address
  is simplest with the standard library's lower layer anyway.

`allow_private=True` (the `WEBHOOK_ALLOW_PRIVATE` setting) turns the address check off,
for receivers on a private network and for tests; the connection is still pinned.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Bytes of a receiver's answer that are read at most (the log keeps 2,000 characters).
MAX_RESPONSE_BYTES = 8192

_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL is not one the portal will send to; retrying cannot change that."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL."""

    scheme: str
    host: str
    port: int
    path: str  #: path and query, at least "/"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class Response:
    status: int
    body: str  #: the start of the answer, decoded leniently


def parse_target(url: str) -> Target:
    """Split a webhook URL into its parts, refusing anything but plain http(s) URLs."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"This is not a valid URL ({error}).") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave user names and passwords out of the URL.")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise TargetRefused("The URL contains spaces or control characters.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def refusal_reason(ip: IPAddress) -> str | None:
    """Say why the portal must not connect to `ip` (None: it is a public address)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is not None:
            reason = refusal_reason(embedded)
            if reason is not None:
                return reason
    for flag, reason in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(ip, flag):
            return reason
    if not ip.is_global:
        return "not a public address"
    return None


def resolve(target: Target, allow_private: bool) -> list[IPAddress]:
    """Resolve the host once and return its addresses, all checked unless `allow_private`.

    Raises TargetRefused when an address is refused; socket.gaierror when the name does
    not resolve (possibly a passing DNS failure).
    """
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise socket.gaierror(f"{target.host} has no addresses")
    if not allow_private:
        for ip in addresses:
            reason = refusal_reason(ip)
            if reason is not None:
                raise TargetRefused(
                    f"{target.host} resolves to {ip}, {reason}: webhooks only go to public "
                    "addresses (see WEBHOOK_ALLOW_PRIVATE)."
                )
    return addresses


def _connect(target: Target, addresses: list[IPAddress], timeout: float, allow_private: bool):
    """Open a TCP connection to one of the checked addresses; check the peer it reached."""
    last_error: OSError | None = None
    for ip in addresses:
        # A literal address and family: nothing is looked up again on the way.
        sock = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET)
        try:
            sock.settimeout(timeout)
            sock.connect((str(ip), target.port))
        except OSError as error:
            sock.close()
            last_error = error
            continue
        peer = ipaddress.ip_address(str(sock.getpeername()[0]).split("%", 1)[0])
        if peer != ip or (not allow_private and refusal_reason(peer) is not None):
            sock.close()
            raise TargetRefused(f"The connection to {target.host} reached {peer}, not {ip}.")
        return sock
    raise last_error or OSError(f"could not connect to {target.host}")


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Response:
    """POST `body` to `url` on a connection pinned to a checked address; no redirects.

    Raises TargetRefused for a URL or address the portal will not send to, and OSError
    (timeouts, refused connections, DNS and TLS errors) or http.client.HTTPException for
    failures a later attempt may not meet.
    """
    target = parse_target(url)
    addresses = resolve(target, allow_private)
    sock = _connect(target, addresses, timeout, allow_private)
    try:
        if target.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        conn.sock = sock  # already connected: http.client uses it as is
        try:
            conn.request(
                "POST",
                target.path,
                body=body,
                headers={"Host": target.host_header, "Content-Length": str(len(body)), **headers},
            )
            answer = conn.getresponse()
            text = answer.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
            return Response(status=answer.status, body=text)
        finally:
            conn.close()
    finally:
        sock.close()


@dataclass(frozen=True)
class Sent:
    """What one POST came to, for a delivery log: an answer, a refusal or a failure."""

    response: Response | None = None  #: the answer, when one came
    #: The address check refused the target: no later attempt can do better.
    refused: bool = False
    error: str = ""  #: why it did not land ("" for a 2xx answer)

    @property
    def ok(self) -> bool:
        return self.response is not None and 200 <= self.response.status < 300


def post_once(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Sent:
    """`post`, with every way it can end said in words a delivery log can keep."""
    try:
        response = post(url, body, headers, timeout=timeout, allow_private=allow_private)
    except TargetRefused as refused:
        return Sent(refused=True, error=f"Refused: {refused.message}")
    except TimeoutError:
        return Sent(error=f"No answer within {timeout:g} s.")
    except (OSError, http.client.HTTPException, UnicodeError) as failure:
        return Sent(error=f"{type(failure).__name__}: {failure}")
    if 200 <= response.status < 300:
        return Sent(response)
    return Sent(response, error=f"The receiver answered HTTP {response.status}.")
