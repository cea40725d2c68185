"""axe-core in the browser tests: load the vendored engine into a page and report its
serious and critical WCAG 2.x A/AA violations.

The site's Content-Security-Policy lets scripts come only from 'self' (and one hashed
snippet), so Playwright's ``add_script_tag(path=...)``, which inlines the file, is refused.
Instead the page routes one same-origin URL to the vendored file (the request never leaves
the browser: nothing reaches the server and nothing is fetched from anywhere) and loads it as
an ordinary 'self' script. The policy stays on throughout (no ``bypass_csp``), so axe sees
the page exactly as a user gets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe__/axe.min.js"  # no such page on the site: the browser answers it
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}

_RUN = """async ([include, tags]) => {
  const result = await axe.run(include ? {include: [include]} : document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                              summary: n.failureSummary})),
  }));
}"""


def install(page: Any, base_url: str) -> None:
    """Answer `base_url` + AXE_PATH with the vendored axe, in this page's browser only."""
    page.route(
        base_url.rstrip("/") + AXE_PATH,
        lambda route: route.fulfill(
            status=200, content_type="text/javascript; charset=utf-8", path=str(AXE_JS)
        ),
    )


def inject(page: Any) -> None:
    """Load axe into the page now showing (again after each navigation); `install` first."""
    if page.evaluate("typeof window.axe") != "object":
        parts = urlsplit(page.url)
        page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}{AXE_PATH}")


def violations(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """The page's serious and critical violations of the WCAG 2.x A and AA rules (within
    the element `include` selects, if given)."""
    inject(page)
    found = page.evaluate(_RUN, [include, WCAG_TAGS])
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def describe(where: str, found: list[dict[str, Any]]) -> str:
    """Each violation: rule id, impact, help, and the offending nodes."""
    lines = []
    for v in found:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}\n      {node['html'][:300]}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)
