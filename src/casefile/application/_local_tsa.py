"""A throwaway RFC 3161 time-stamping authority on 127.0.0.1, made with ``openssl ts``.

For demonstrations and tests only: the library never needs openssl. It makes a
CA and a TSA certificate (``extendedKeyUsage = critical,timeStamping``) in a
folder of its own and answers ``application/timestamp-query`` POSTs by running
``openssl ts -reply``, one request at a time. Its CA certificate is what a
trust store names as a TSA anchor (docs/FORMAT.md §7.1.4).
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from casefile.errors import DependencyMissingError, PrintError

__all__ = ["LocalTSA", "find_openssl", "start_local_tsa"]

#: A query is a hash and a few fields; anything much larger is not one.
_MAX_QUERY: Final = 64 * 1024
_TIMEOUT: Final = 30

_CONFIG: Final = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = {cn}
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def find_openssl() -> str:
    """The ``openssl`` program, or :class:`DependencyMissingError` saying how to install it."""
    found = shutil.which("openssl")
    if found is None:
        raise DependencyMissingError(
            "openssl is not installed (Debian: apt-get install openssl); "
            "the local time-stamping authority needs it"
        )
    return found


def _run(openssl: str, *args: str, cwd: Path, data: bytes | None = None) -> bytes:
    done = subprocess.run(  # noqa: S603 - a fixed program with arguments of our own
        [openssl, *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        timeout=_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PrintError(f"openssl {args[0]} failed: {problem[-1] if problem else 'no message'}")
    return done.stdout


def _make_pki(openssl: str, folder: Path, name: str) -> None:
    (folder / "openssl.cnf").write_text(
        _CONFIG.format(cn=f"{name} TSA", folder=folder), encoding="utf-8"
    )
    (folder / "ca.cnf").write_text(
        _CONFIG.format(cn=f"{name} root CA", folder=folder), encoding="utf-8"
    )
    (folder / "serial").write_text("01\n", encoding="ascii")
    _run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-out", "ca.key", cwd=folder)  # fmt: skip
    _run(openssl, "req", "-new", "-x509", "-key", "ca.key", "-days", "3650", "-sha256",
         "-config", "ca.cnf", "-extensions", "ca_ext", "-out", "ca.crt", cwd=folder)  # fmt: skip
    _run(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-out", "tsa.key", cwd=folder)  # fmt: skip
    _run(openssl, "req", "-new", "-key", "tsa.key", "-config", "openssl.cnf",
         "-out", "tsa.csr", cwd=folder)  # fmt: skip
    _run(openssl, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-set_serial", "2", "-days", "3650", "-sha256", "-extfile", "openssl.cnf",
         "-extensions", "tsa_ext", "-out", "tsa.crt", cwd=folder)  # fmt: skip


@dataclass
class LocalTSA:
    """A running local TSA: POST queries to :attr:`url`; trust :attr:`anchor_pem`."""

    url: str
    anchor_pem: str
    folder: Path
    _server: http.server.HTTPServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _scratch: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp that ``openssl ts -reply`` gives for a DER query."""
        with tempfile.TemporaryDirectory(dir=self.folder) as work:
            (Path(work) / "query.tsq").write_bytes(query)
            _run(find_openssl(), "ts", "-reply", "-config", "openssl.cnf",
                 "-queryfile", os.path.join(work, "query.tsq"),
                 "-out", os.path.join(work, "reply.tsr"), cwd=self.folder)  # fmt: skip
            return (Path(work) / "reply.tsr").read_bytes()

    def close(self) -> None:
        """Stop serving and remove the folder if this TSA made it."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> LocalTSA:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def start_local_tsa(folder: Path | None = None, *, name: str = "Local") -> LocalTSA:
    """Make a CA and a TSA certificate in ``folder`` (a new temporary one if None) and serve."""
    openssl = find_openssl()
    scratch = None
    if folder is None:
        scratch = tempfile.TemporaryDirectory(prefix="casefile-tsa-")
        folder = Path(scratch.name)
    folder.mkdir(parents=True, exist_ok=True)
    _make_pki(openssl, folder, name)
    holder: list[LocalTSA] = []

    class _Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = self.headers.get("Content-Length") or ""
            length = int(size) if size.isdigit() else 0
            if self.headers.get("Content-Type") != "application/timestamp-query" or not (
                0 < length <= _MAX_QUERY
            ):
                self.send_error(400, "expected an application/timestamp-query body")
                return
            try:
                body = holder[0].reply(self.rfile.read(length))
            except (PrintError, OSError, subprocess.TimeoutExpired):
                self.send_error(500, "the time-stamping authority could not answer")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: a demo's or a test's output is not the place

    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="local-tsa", daemon=True)
    tsa = LocalTSA(
        url=f"http://127.0.0.1:{server.server_address[1]}/tsa",
        anchor_pem=(folder / "ca.crt").read_text(encoding="ascii"),
        folder=folder,
        _server=server,
        _thread=thread,
        _scratch=scratch,
    )
    holder.append(tsa)
    thread.start()
    return tsa
