"""Officers' tablets sync what they recorded offline to the case file service over HTTP.

    python examples/capture_sync_http.py [OUTPUT_DIR]

The library takes and gives bytes; carrying them is the embedding app's job.
Here the centre is a small Starlette app with one route, ``POST /captures``:
the body is a capture package, the reply the signed attach receipt, or a JSON
error naming what is wrong (400 for bytes that are not a package or do not
verify, 409 for a capture that conflicts with what the case holds, 413 for a
body over the limit). Each tablet builds its package, posts it, checks the
receipt against its own trust store and records, and only then prunes.

The run serves on 127.0.0.1 on a free port, syncs two tablets, resends one
package (nothing new is attached), sends a package altered in transit (refused),
and verifies the case. OUTPUT_DIR (default: a temporary folder) keeps the stores.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from casefile.application import AttachReceipt, CasefileApp, DeviceApp, StoreConfig
from casefile.errors import CaptureError, CasefileError, VerificationError
from casefile.signing import Holder, InMemorySigner, Signer, TrustEntry, TrustStore

MAX_PACKAGE = 16 * 1024 * 1024  # this service's own bound on a request body
NAMESPACE = "example.police.uk"
INTAKE_NAME = "example.police.uk/capture-intake"
DAY_NS = 86_400 * 10**9


# --- the centre ---------------------------------------------------------------------------


def intake_service(
    central: CasefileApp, signer: Signer, name: str, *, max_size: int = MAX_PACKAGE
) -> Starlette:
    """The centre's HTTP face: attach each posted package, answer with its receipt."""
    one_at_a_time = threading.Lock()  # attaching appends to a case: one writer

    def attach(package: bytes) -> bytes:
        with one_at_a_time:
            receipt = central.attach_capture(package, signer=signer, name=name, max_size=max_size)
        return receipt.to_bytes()

    async def captures(request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > max_size:
            return _error(413, f"the body exceeds {max_size} bytes")
        body = bytearray()
        async for chunk in request.stream():  # counted as it arrives: never more held
            body += chunk
            if len(body) > max_size:
                return _error(413, f"the body exceeds {max_size} bytes")
        try:
            receipt = await run_in_threadpool(attach, bytes(body))
        except CaptureError as exc:
            return _error(409 if exc.step in {"A5", "A6"} else 400, exc.message, exc)
        except VerificationError as exc:
            return _error(400, exc.message, exc)
        except CasefileError as exc:  # the domain's refusals (a case unknown, a closed store)
            return _error(400, str(exc))
        return Response(receipt, media_type="application/octet-stream")

    return Starlette(routes=[Route("/captures", captures, methods=["POST"])])


def _error(status: int, message: str, exc: VerificationError | None = None) -> JSONResponse:
    body: dict[str, object] = {"error": message}
    if exc is not None:
        body.update(step=exc.step, stream=exc.case_id, record=exc.seq)
    return JSONResponse(body, status_code=status)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 on a free port in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the intake service did not start")
            thread.join(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


# --- the device ---------------------------------------------------------------------------


class SyncRefusedError(Exception):
    """The centre refused a package; ``status`` and ``detail`` say why, for the officer."""

    def __init__(self, status: int, detail: dict[str, object]) -> None:
        super().__init__(f"{status}: {detail.get('error')}")
        self.status = status
        self.detail = detail


def sync(
    client: httpx.Client,
    tablet: DeviceApp,
    stream: uuid.UUID,
    officer: Signer,
    name: str,
    *,
    package: bytes | None = None,
) -> AttachReceipt:
    """Send the stream's package (or ``package``) and keep the centre's receipt once checked."""
    sent = (
        package
        if package is not None
        else tablet.capture_package(stream, signer=officer, name=name)
    )
    reply = client.post("/captures", content=sent)
    if reply.status_code != 200:
        raise SyncRefusedError(reply.status_code, reply.json())
    return tablet.accept_receipt(reply.content)  # R1-R4: a forged answer raises here


# --- one morning's work -------------------------------------------------------------------


def _key(seed: str) -> InMemorySigner:
    return InMemorySigner(seed.encode().ljust(32, b"."))  # fixed keys: a repeatable example


def main(out: Path) -> None:
    officers = {"pc-1001": _key("tablet officer 1001"), "pc-2002": _key("tablet officer 2002")}
    intake = _key("capture intake")
    now = time.time_ns()
    trust = TrustStore(
        [
            TrustEntry(
                public_key=signer.public_key,
                name=name,
                holder=Holder(name=name, rank="PC", number=name[-4:], force="Example (fictional)"),
                roles=frozenset(roles),
                valid_from=now - DAY_NS,
            )
            for name, signer, roles in [
                *((n, s, {"recorder"}) for n, s in officers.items()),
                (INTAKE_NAME, intake, {"recorder", "checkpoint"}),
            ]
        ]
    )
    central = CasefileApp(store=StoreConfig.sqlite(out / "central.sqlite"), trust=trust)
    case_id = central.open_case(
        intake, offence="burglary", channel="phone", reference="42EX0000726"
    )

    # Offline: each tablet records into a capture stream of its own.
    tablets, streams = {}, {}
    for name, officer in officers.items():
        tablet = DeviceApp(
            out / f"{name}.sqlite",
            trust=trust,
            device=f"tablet of {name}",
            origin_namespace=NAMESPACE,
        )
        streams[name] = tablet.open_capture(officer, reference="42EX0000726", case_id=case_id)
        with tablet.session(streams[name], officer) as capture:
            capture.add_note(text=f"{name}: arrived at the scene, rear door forced.")
        tablets[name] = tablet

    with (
        serving(intake_service(central, intake, INTAKE_NAME)) as url,
        httpx.Client(base_url=url) as client,
    ):
        print(f"intake service on {url}")
        first = tablets["pc-1001"].capture_package(
            streams["pc-1001"], signer=officers["pc-1001"], name="pc-1001"
        )
        for name in ("pc-2002", "pc-1001"):  # in any order
            receipt = sync(client, tablets[name], streams[name], officers[name], name)
            # The receipt covers the stream up to its size; one case record bound them.
            print(f"{name}: capture records 1-{receipt.size} bound by case record {receipt.seq}")
        again = sync(
            client,
            tablets["pc-1001"],
            streams["pc-1001"],
            officers["pc-1001"],
            "pc-1001",
            package=first,
        )
        print(f"pc-1001 resent: nothing new, receipt for case record {again.seq}")
        altered = first.replace(b"tablet of pc-1001", b"tablet of pc-1009")  # changed on the way
        assert altered != first
        try:
            sync(
                client,
                tablets["pc-1001"],
                streams["pc-1001"],
                officers["pc-1001"],
                "pc-1001",
                package=altered,
            )
        except SyncRefusedError as refused:
            print(f"altered package refused with {refused.status}: {refused.detail['error']}")

    # Everything the tablets recorded is receipted: only now may they forget it.
    for name, tablet in tablets.items():
        tablet.prune(streams[name])
    verified = central.verify(case_id)
    bound = sorted(str(s) for s in central.get_case(case_id).attached)
    print(f"case {case_id}: {len(verified.records)} records verified; captures bound: {bound}")
    for tablet in tablets.values():
        tablet.close()
    central.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="where the stores are kept")
    args = parser.parse_args()
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        main(args.out)
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder))
