"""A minimal LSP client over stdio (JSON-RPC with Content-Length framing), for the YAML language server."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any


class LanguageServer:
    """Starts a language server, answers its requests, collects its published diagnostics."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.diagnostics: dict[str, list[dict]] = {}
        self._published = threading.Condition()
        self._responses: queue.Queue = queue.Queue()
        self._next_id = 0
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {
                    "textDocument": {"publishDiagnostics": {"relatedInformation": False}},
                    "workspace": {"configuration": True, "workspaceFolders": True},
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    # -- framing ---------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._process.stdin.flush()

    def _read(self) -> None:
        stream = self._process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                self._answer(message)
            elif "method" in message:
                if message["method"] == "textDocument/publishDiagnostics":
                    with self._published:
                        params = message["params"]
                        self.diagnostics[params["uri"]] = params["diagnostics"]
                        self._published.notify_all()
            else:
                self._responses.put(message)

    def _answer(self, message: dict) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [
                self.settings.get(item.get("section", ""), None)
                for item in message["params"]["items"]
            ]
        self._send({"id": message["id"], "result": result})

    # -- calls -----------------------------------------------------------------------

    def request(self, method: str, params: dict, timeout: float = 60) -> Any:
        self._next_id += 1
        self._send({"id": self._next_id, "method": method, "params": params})
        while True:
            response = self._responses.get(timeout=timeout)
            if response.get("id") == self._next_id:
                if "error" in response:
                    raise RuntimeError(response["error"])
                return response.get("result")

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        text = path.read_bytes().decode("utf-8", "replace")
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        return uri

    def wait_for(
        self, uris: list[str], settle: float = 2.0, timeout: float = 120
    ) -> dict[str, list[dict]]:
        """Diagnostics of every uri, once each has been published and none came for `settle` seconds."""
        with self._published:
            self._published.wait_for(lambda: all(u in self.diagnostics for u in uris), timeout)
            while self._published.wait(settle):
                pass
            return {u: self.diagnostics.get(u) for u in uris}

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=10)
            self.notify("exit", {})
            self._process.wait(timeout=10)
        except Exception:
            self._process.kill()
            self._process.wait()
