"""The child process that reads a whole spreadsheet or CSV file for a worker's job.

``metrics.local_data`` starts it with a memory limit (RLIMIT_AS) and a time limit, so a file
that slips past the inspection can only end this process, not the worker. It reads one JSON
request on stdin (``path``, ``excel``, ``limits``, the ``columns`` wanted) and writes one
JSON answer on stdout: ``{"ok": true, "header": [...], "rows": [[...], ...]}`` with only the
wanted columns, or ``{"ok": false, "code": ..., "params": {...}}``. No Django here.
"""

from __future__ import annotations

import json
import sys

from metrics.spreadsheets import Limits, SpreadsheetError, rows_read


def read(request: dict) -> dict:
    limits = Limits(**request["limits"])
    wanted = request["columns"]
    with open(request["path"], "rb") as source:
        rows = rows_read(source, excel=request["excel"], limits=limits)
        header = [name.strip() for name in next(rows, [])]
        index = [header.index(name) if name in header else -1 for name in wanted]
        out = []
        for row in rows:
            if any(cell.strip() for cell in row):
                out.append([row[i] if 0 <= i < len(row) else "" for i in index])
    return {"ok": True, "header": header, "rows": out}


def main() -> int:
    request = json.load(sys.stdin)
    try:
        answer = read(request)
    except SpreadsheetError as exc:
        answer = {"ok": False, "code": exc.code, "params": exc.params}
    except MemoryError:
        answer = {"ok": False, "code": "memory", "params": {}}
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
