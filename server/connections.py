"""Connection limits for waitress: no client, slow or idle, can lock the others out.

Waitress reads requests asynchronously and hands only complete ones to its threads, but every open
connection holds a slot, and by default it keeps 100 of them, drops idle ones only after 120 s and
stops accepting when they are full: 101 half-sent requests locked every client out. Here:

- a cap per client address (`Settings.connections_per_address`) and a documented maximum
  (`Settings.connection_limit`). When either is reached, the new connection takes the place of the
  oldest idle one (no request being answered, nothing to send: an idle keep-alive or a half-sent
  request) of that address, or of anyone for the maximum; only if every connection is busy is the
  new one refused (503) or left in the listen backlog;
- short timeouts, checked every second: a connection with nothing in progress closes after
  `Settings.idle_timeout` seconds, a request that has not arrived whole after `request_timeout`;
- a request line longer than the endpoint's limit is answered 414 as soon as it passes the limit
  (waitress would answer 431 after reading the headers' limit), a body over the limit 413 before
  it is read. The connection then lingers: it stops writing and reads (and drops) what the client is
  still sending, for up to LINGER_SECONDS or LINGER_BYTES, so the client can read its answer; closing
  a socket with unread data resets it, and a client still sending its body would see a broken pipe.
"""

from __future__ import annotations

import logging
import socket
import time
from collections import Counter

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.utilities import BadRequest, RequestEntityTooLarge

log = logging.getLogger(__name__)
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 2**20
REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Connection: close\r\nContent-Length: %d\r\n\r\n%s")


class URITooLong(BadRequest):
    code = 414
    reason = "URI Too Long"


class LimitedParser(HTTPRequestParser):
    """Waitress's parser, answering a request line over the limit with 414 the moment it passes it."""

    line_seen = 0
    line_done = False

    def received(self, data: bytes) -> int:
        if self.body_rcv is None and not self.line_done and not self.completed:
            end = data.find(b"\n")
            self.line_seen += len(data) if end < 0 else end
            self.line_done = end >= 0
            limit = self.adj.uri_limit  # type: ignore[attr-defined]
            if self.line_seen > limit:
                self.parse_header(b"GET / HTTP/1.0\r\n")
                self.error = URITooLong(f"the request line is longer than this endpoint's limit of {limit} "
                                        "bytes; send a long query as a POST body")
                self.completed = True
                return len(data)
        consumed = super().received(data)
        if isinstance(self.error, RequestEntityTooLarge) and not getattr(self, "_worded", False):
            self._worded = True
            self.error = RequestEntityTooLarge(f"the request body is larger than this endpoint's limit of "
                                               f"{self.adj.max_request_body_size - 1} bytes")
        return consumed


class LimitedChannel(HTTPChannel):
    """A channel that knows when its current request started, tells the server when it closes, and
    lingers after refusing a request it did not read to the end."""

    parser_class = LimitedParser
    request_started = 0.0
    _counted = False
    #: a request was refused before it was read whole: linger before closing
    refused = False
    #: the answer is out and the channel is reading what is left (since this time; 0 when not)
    draining_since = 0.0
    drained = 0

    def __init__(self, server: GuardedServer, sock, addr, adj, map=None):  # type: ignore[no-untyped-def]
        super().__init__(server, sock, addr, adj, map)
        self.peer = addr[0] if isinstance(addr, tuple) else str(addr)
        server.peers[self.peer] += 1
        self._counted = True

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.time()
        request = self.request
        result = super().received(data)
        if request is not None and request.error is not None or any(r.error is not None for r in self.requests):
            self.refused = True
        return result

    def idle(self) -> bool:
        """Nothing being answered and nothing to send: closing it loses at most a half-sent request."""
        return not self.requests and not self.total_outbufs_len and not self.will_close

    def readable(self) -> bool:
        return bool(self.draining_since) or super().readable()

    def writable(self) -> bool:
        return not self.draining_since and super().writable()

    def handle_read(self) -> None:
        if not self.draining_since:
            super().handle_read()
            return
        try:
            data = self.socket.recv(self.adj.recv_bytes)
        except OSError:
            data = b""
        self.drained += len(data)
        if not data or self.drained > LINGER_BYTES:
            self.draining_since = 0.0
            self.handle_close()

    def handle_close(self) -> None:
        """Close; or, once the answer to a refused request is out, first stop writing and drain."""
        if self.refused and not self.draining_since and self.connected and not self.total_outbufs_len:
            self.refused = False
            try:
                self.socket.shutdown(socket.SHUT_WR)
                self.draining_since = time.time()
                self.will_close = False
                return
            except OSError:
                pass  # the client is gone already
        self.draining_since = 0.0
        super().handle_close()

    def lingered(self, now: float) -> bool:
        return bool(self.draining_since) and now - self.draining_since > LINGER_SECONDS

    def del_channel(self, map=None) -> None:  # type: ignore[no-untyped-def]
        super().del_channel(map)
        if self._counted:
            self._counted = False
            self.server.peers[self.peer] -= 1
            if self.server.peers[self.peer] <= 0:
                del self.server.peers[self.peer]


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server with a cap per client address, eviction of idle connections when a cap is
    reached, and timeouts for idle connections and for requests that do not arrive."""

    channel_class = LimitedChannel

    def __init__(self, *args, per_address: int, idle_timeout: float, request_timeout: float,  # type: ignore[no-untyped-def]
                 **kwargs):
        self.peers: Counter[str] = Counter()
        self.per_address = per_address
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        super().__init__(*args, **kwargs)

    def readable(self) -> bool:
        """Keep accepting while a full table still holds an idle connection to make room with."""
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting:
            return False
        return len(self.active_channels) < self.adj.connection_limit or self._oldest_idle() is not None

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:
            return  # the client went away before we got to it
        peer = addr[0] if isinstance(addr, tuple) else str(addr)
        if self.peers[peer] >= self.per_address and not self._evict(peer):
            self._refuse(conn, f"more than {self.per_address} connections from {peer} are busy; try again")
            return
        if len(self.active_channels) >= self.adj.connection_limit and not self._evict(None):
            self._refuse(conn, "the server is busy with other clients; try again")
            return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def _oldest_idle(self, peer: str | None = None) -> LimitedChannel | None:
        found = None
        for channel in self.active_channels.values():
            if (peer is None or channel.peer == peer) and channel.idle():
                if found is None or channel.last_activity < found.last_activity:
                    found = channel
        return found

    def _evict(self, peer: str | None) -> bool:
        victim = self._oldest_idle(peer)
        if victim is None:
            return False
        log.info("closing an idle connection from %s to make room", victim.peer)
        victim.handle_close()
        return True

    @staticmethod
    def _refuse(conn, message: str) -> None:  # type: ignore[no-untyped-def]
        """Answer 503 and close, after reading what the request already sent (closing a socket with
        unread data resets it, and the client would not read the answer)."""
        body = message.encode("utf-8")
        try:
            conn.setblocking(False)
            conn.send(REFUSED % (len(body), body))
            conn.shutdown(socket.SHUT_WR)
            conn.recv(256 * 1024)
        except OSError:
            pass  # nothing more came yet, or the client is gone: it is being refused anyway
        finally:
            conn.close()

    def maintenance(self, now: float) -> None:
        """Close connections idle past idle_timeout, requests still arriving after request_timeout, and
        lingering ones after LINGER_SECONDS."""
        for channel in list(self.active_channels.values()):
            if channel.lingered(now):
                channel.draining_since = 0.0
                channel.handle_close()
                continue
            if not channel.idle():
                continue
            if channel.request is not None:
                if now - channel.request_started > self.request_timeout:
                    channel.will_close = True
            elif now - channel.last_activity > self.idle_timeout:
                channel.will_close = True
