"""Getting a page, feed or export over the network, carefully.

A fetch names the project in its user agent, gives up after a timeout (per read and in all),
reads at most `max_bytes`, follows at most `max_redirects` redirects, takes http(s) addresses
only, and asks the site's `robots.txt` first. Every address a host name resolves to is checked,
at the first request and after each redirect, and the connection goes to the address that was
checked (a second lookup could answer differently): loopback, private, link-local, multicast and
reserved addresses are refused unless `allow_private` is given (the tests' local server, an
intranet CMS).
"""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from articles.ingest.story import IngestError, TooLarge

USER_AGENT = "NewsroomImporter/1.0 (+https://github.com/newsroom; story importer)"
ROBOTS_AGENT = "NewsroomImporter"
MAX_FETCH_BYTES = 5_000_000
CHUNK = 64 * 1024


# What the command line can do about a refused address; the admin's fetches can do nothing.
COMMAND_HINT = " (use --allow-private to allow it)"


class FetchError(IngestError):
    pass


class TemporaryFetchError(FetchError):
    """A failure worth another try later: no answer in time, a dropped connection, or the
    server saying it is busy or broken for now (429, 5xx)."""


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = MAX_FETCH_BYTES
    max_redirects: int = 3
    respect_robots: bool = True
    user_agent: str = USER_AGENT


@dataclass
class Fetched:
    url: str  # after redirects
    data: bytes
    content_type: str = ""
    charset: str = ""
    status: int = 200
    redirects: list[str] = field(default_factory=list)


def _refused(address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to, after checking every address the name resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"the host {host} could not be found") from None
    addresses = []
    for info in infos:
        text = info[4][0].split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise FetchError(f"the host {host} could not be found")
    if not allow_private and any(_refused(address) for address in addresses):
        raise FetchError(f"refused: {host} is on a private or local network{COMMAND_HINT}")
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the name resolves to now."""

    def __init__(self, host: str, *, address: str, **kwargs):
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, *, address: str, tls: ssl.SSLContext, **kwargs):
        super().__init__(host, context=tls, **kwargs)
        self.address = address
        self.tls = tls

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


class Fetcher:
    """Fetches under one policy, remembering each site's robots.txt for its lifetime."""

    def __init__(self, policy: FetchPolicy | None = None):
        self.policy = policy or FetchPolicy()
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.tls = ssl.create_default_context()

    def fetch(self, url: str) -> Fetched:
        return self._get(url, check_robots=self.policy.respect_robots)

    def _allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                robots = self._get(f"{origin}/robots.txt", check_robots=False, refuse_status=False)
            except TooLarge:
                parser.parse([])
            except TemporaryFetchError:
                raise  # the site does not answer now: neither allowed nor refused, try later
            except FetchError:
                parser = None  # unreadable: fetch nothing from this site
            else:
                if robots.status in (401, 403):
                    parser.disallow_all = True
                elif robots.status == 429 or robots.status >= 500:
                    # Not remembered: the answer may be different later.
                    raise TemporaryFetchError(
                        f"the site's robots.txt answered {robots.status}: nothing is fetched "
                        "from it until it answers"
                    )
                elif robots.status >= 400:
                    parser.allow_all = True
                else:
                    parser.parse(robots.data.decode("utf-8", "replace").splitlines())
            self.robots[origin] = parser
        parser = self.robots[origin]
        return parser is not None and parser.can_fetch(ROBOTS_AGENT, url)

    def _get(self, url: str, *, check_robots: bool, refuse_status: bool = True):
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        redirects: list[str] = []
        while True:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError("only http and https addresses are fetched")
            https = parts.scheme == "https"
            port = parts.port or (443 if https else 80)
            address = resolve(parts.hostname, port, allow_private=policy.allow_private)
            if check_robots and not self._allowed_by_robots(url):
                raise FetchError("refused by the site's robots.txt")
            timeout = max(0.1, min(policy.timeout, deadline - time.monotonic()))
            if https:
                connection = _PinnedHTTPSConnection(
                    parts.hostname, address=address, tls=self.tls, port=port, timeout=timeout
                )
            else:
                connection = _PinnedHTTPConnection(
                    parts.hostname, address=address, port=port, timeout=timeout
                )
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            try:
                connection.request(
                    "GET",
                    target,
                    headers={
                        "User-Agent": policy.user_agent,
                        "Accept": "text/html,application/xhtml+xml,application/xml,"
                        "application/json;q=0.9,*/*;q=0.5",
                        "Accept-Encoding": "identity",
                    },
                )
                response = connection.getresponse()
                if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                    if len(redirects) >= policy.max_redirects:
                        raise FetchError(f"more than {policy.max_redirects} redirects")
                    redirects.append(url)
                    url = urljoin(url, response.getheader("Location"))
                    continue
                data = self._read(response, deadline)
            except TimeoutError:
                raise TemporaryFetchError(f"no answer within {policy.timeout:g} seconds") from None
            except (OSError, http.client.HTTPException) as error:
                reason = getattr(error, "strerror", None) or type(error).__name__
                raise TemporaryFetchError(f"the connection failed ({reason})") from None
            finally:
                connection.close()
            if refuse_status and response.status >= 400:
                busy = response.status == 429 or response.status >= 500
                error = TemporaryFetchError if busy else FetchError
                raise error(f"the server answered {response.status} {response.reason}")
            fetched = Fetched(
                url=url,
                data=data,
                content_type=response.headers.get_content_type(),
                charset=response.headers.get_content_charset() or "",
                status=response.status,
                redirects=redirects,
            )
            return fetched

    def _read(self, response, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise TooLarge(f"larger than {limit:,} bytes")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise TemporaryFetchError(f"took longer than {self.policy.total_timeout:g} seconds")
            chunk = response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"larger than {limit:,} bytes")
            chunks.append(chunk)
