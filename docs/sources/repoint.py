"""Point citations of the reference notes at their in-repository copies under docs/sources/.

    python docs/sources/repoint.py FILE...           rewrite the files in place, print what changed
    python docs/sources/repoint.py --check FILE...   print what would change; exit 1 if anything would

Rewrites ``calibration_data.md``, ``payment_rules.md`` and ``behaviour_evidence.md`` (bare, or behind any
``shared/reference/`` prefix such as ``../shared/reference/`` or ``/work/shared/reference/``) to
``docs/sources/<name>.md``. Idempotent: an already repointed ``docs/sources/<name>.md`` is left as it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAMES = ("calibration_data", "payment_rules", "behaviour_evidence")

# an optional path prefix ending in shared/reference/ or docs/sources/ (e.g. ``../shared/reference/``,
# ``/work/shared/reference/``), then the file name. Neither may be glued to a preceding word or path character,
# so ``other/path/calibration_data.md`` and ``my_payment_rules.md`` are left alone.
_CITE = re.compile(
    r"(?:(?<![\w/.\-~])/?(?:[\w.\-~]+/)*(?:shared/reference/|docs/sources/)|(?<![\w/.\-~]))"
    r"(?P<name>" + "|".join(NAMES) + r")\.md\b"
)


def repoint_text(text: str) -> str:
    """The text with every citation of a reference note pointing at docs/sources/."""
    return _CITE.sub(lambda m: f"docs/sources/{m.group('name')}.md", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    files = [a for a in argv if a != "--check"]
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    changed = 0
    for name in files:
        path = Path(name)
        old = path.read_text(encoding="utf-8")
        new = repoint_text(old)
        if new == old:
            continue
        changed += 1
        n = sum(1 for a, b in zip(old.splitlines(), new.splitlines()) if a != b)
        print(f"{path}: {n} line(s) {'would change' if check else 'rewritten'}")
        if not check:
            path.write_text(new, encoding="utf-8")
    return 1 if (check and changed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
