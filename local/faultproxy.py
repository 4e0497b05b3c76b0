"""A TCP link from one local service to another that tests can cut.

Sales reaches Inventory and Customers through one of these each, so the end-to-end
fault tests can take a dependency down mid-saga without touching the others. The link's
state is read from a control file on every connection and every chunk:

  up           forward (also when the file is missing)
  refuse       close connections at once: the service is down
  hang         hold connections without an answer: the service is stuck
  hang-writes  hold POST requests without an answer, forward the others (reads such as
               the session check pass, a charge gets stuck)
  refuse-writes  close connections of POST requests at once, forward the others
  lose-answers forward requests, drop the answers: the service does the work, the caller
               never hears of it (and times out)
"""

WRITES_ONLY = ("hang-writes", "refuse-writes")

import argparse
import asyncio
import pathlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", type=int, required=True)
    parser.add_argument("--control", type=pathlib.Path, required=True)
    args = parser.parse_args()

    def mode() -> str:
        try:
            return args.control.read_text().strip() or "up"
        except FileNotFoundError:
            return "up"

    async def hold_while_hanging() -> None:
        while mode() == "hang":
            await asyncio.sleep(0.1)

    async def hold_write() -> None:
        while mode() == "hang-writes":
            await asyncio.sleep(0.1)

    async def pipe(src, dst, cut_on_fault) -> None:
        try:
            while data := await src.read(65536):
                if not cut_on_fault and mode() == "lose-answers":
                    continue
                if cut_on_fault and mode() not in ("up", *WRITES_ONLY):
                    await hold_while_hanging()
                    break
                # A write on a kept-alive connection is held or refused too.
                if cut_on_fault and mode() in WRITES_ONLY and data.startswith(b"POST"):
                    await hold_write()
                    break
                dst.write(data)
                await dst.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            dst.close()

    async def handle(reader, writer) -> None:
        first = b""
        if mode() in WRITES_ONLY:
            first = await reader.read(65536)
            if first.startswith(b"POST"):
                await hold_write()
                writer.close()
                return
        elif mode() != "up":
            await hold_while_hanging()
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", args.to)
        except OSError:
            writer.close()
            return
        up_writer.write(first)
        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
