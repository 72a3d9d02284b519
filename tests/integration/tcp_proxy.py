"""A small TCP proxy in front of the PostgreSQL server, to stop "the server" without stopping it.

Other sessions share the machine's server, so the outage tests never touch it: the console
connects through this proxy, and :meth:`TcpProxy.cut` does what a stopped server does to its
clients — every open connection is closed and new ones are refused (the listening socket is
gone: ECONNREFUSED) — until :meth:`TcpProxy.restore` listens again on the same port.
Plain threads, blocking sockets: a pair of pumps per connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from sqlalchemy.engine import make_url


class TcpProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self.port = 0  # chosen by the system on the first start, kept afterwards
        #: Connections accepted so far (each one a connection of the client).
        self.accepted = 0
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def url_for(self, url: str) -> str:
        """``url`` (an SQLAlchemy URL of the target server) through this proxy."""
        return (
            make_url(url)
            .set(host="127.0.0.1", port=self.port)
            .render_as_string(hide_password=False)
        )

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def start(self) -> TcpProxy:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        with self._lock:
            self._server = server
        self._spawn(self._accept, server)
        return self

    def cut(self) -> int:
        """Close every open connection and refuse new ones; the number of connections closed."""
        with self._lock:
            server, self._server = self._server, None
            victims = list(self._open)
            self._open.clear()
        if server is not None:
            _kill(server)  # shutdown() wakes the thread blocked in accept()
        for sock in victims:
            _kill(sock)
        return len(victims) // 2  # a client side and a server side each

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        if self._server is None:
            self.start()

    def close(self) -> None:
        self.cut()
        for thread in self._threads:
            thread.join(timeout=5)

    # -- the threads -------------------------------------------------------------------

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="tcp-proxy")  # type: ignore[arg-type]
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # cut(): the listening socket was closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _kill(client)
                continue
            with self._lock:
                if self._server is not server:  # cut() while this one was connecting
                    victims = [client, upstream]
                else:
                    victims = []
                    self._open.update((client, upstream))
                    self.accepted += 1
            if victims:
                for sock in victims:
                    _kill(sock)
                continue
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._open.discard(source)
            self._open.discard(sink)
        _kill(source)
        _kill(sink)


def _kill(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
