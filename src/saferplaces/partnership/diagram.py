"""The structure of a partnership drawn as an inline SVG: groups as linked boxes, lines
from each group up to the group it escalates to. Built server-side, no JavaScript.

A restricted group the reader may not see (`Group.is_visible_to`) is still drawn, so the
structure and its escalation lines stay whole, but by name only: a dashed box with no
link, marked "members only". Its page, members, meetings and escalations stay hidden.

Layout is a simple tidy tree: each group's children sit side by side on the row below,
leaves take one slot each, and a parent is centred over its children.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.html import format_html
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from saferplaces.partnership.models import Group

BOX_W, BOX_H = 190, 78
GAP_X, GAP_Y = 36, 44
STACK_OVER = 3  # more leaf sub-groups than this are stacked in columns
MAX_STACK_COLS = 2
MARGIN = 26  # room for a stacked column's side line at the left edge
WRAP = 26
MAX_LINES = 3


@dataclass
class Node:
    """One group in the diagram."""

    key: int
    name: str
    kind: str
    href: str  # "" when the reader may not open the group: drawn by name, without a link
    parent: int | None
    children: list[Node] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    col: float = 0.0
    row: float = 0.0
    stacked: bool = False


def build_forest(nodes: Sequence[Node]) -> list[Node]:
    """Link nodes to their parents; a node whose parent is not drawn is a root."""
    by_key = {n.key: n for n in nodes}
    roots: list[Node] = []
    for node in nodes:
        parent = by_key.get(node.parent) if node.parent is not None else None
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def layout(roots: Sequence[Node]) -> tuple[int, int]:
    """Give every node its x, y (top-left of its box). Returns the drawing's width, height.

    Sub-groups that have sub-groups of their own sit side by side on the row below their
    parent. When a group has more than STACK_OVER leaf sub-groups, those are stacked in
    columns (at most MAX_STACK_COLS of them) joined to the parent by a line down their left side,
    so that a busy group does not stretch the drawing sideways.
    """
    max_col = 0.0
    max_row = 0.0

    def place(node: Node, col: float, row: float, seen: frozenset[int]) -> float:
        nonlocal max_col, max_row
        kids = [c for c in node.children if c.key not in seen]
        branches = [k for k in kids if k.children]
        leaves = [k for k in kids if not k.children]
        c = col
        if len(leaves) > STACK_OVER:
            rows = max(2, math.ceil(len(leaves) / MAX_STACK_COLS))
            for i, leaf in enumerate(leaves):
                leaf.col, leaf.row, leaf.stacked = c + i // rows, row + 1 + i % rows, True
                max_row = max(max_row, leaf.row)
            c += math.ceil(len(leaves) / rows)
            leaves = []
        for child in [*leaves, *branches]:
            c += place(child, c, row + 1, seen | {child.key})
        width = max(c - col, 1)
        node.col, node.row = col + (width - 1) / 2, row
        max_col, max_row = max(max_col, col + width), max(max_row, row)
        return width

    c = 0.0
    for root in roots:
        c += place(root, c, 0, frozenset({root.key}))
    for node in _walk(roots):
        node.x = MARGIN + node.col * (BOX_W + GAP_X)
        node.y = MARGIN + node.row * (BOX_H + GAP_Y)
    width = MARGIN * 2 + max(max_col, 1) * (BOX_W + GAP_X) - GAP_X
    height = MARGIN * 2 + (max_row + 1) * (BOX_H + GAP_Y) - GAP_Y
    return int(width), int(height)


def _walk(roots: Sequence[Node]) -> list[Node]:
    out: list[Node] = []
    stack = list(reversed(roots))
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node.key in seen:
            continue
        seen.add(node.key)
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def _box(node: Node) -> SafeString:
    lines = textwrap.wrap(node.name, WRAP) or [""]
    if len(lines) > MAX_LINES:
        lines = [
            *lines[: MAX_LINES - 1],
            textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), WRAP, placeholder="…"),
        ]
    cx = node.x + BOX_W / 2
    text = SafeString("")
    for i, line in enumerate(lines):
        text += format_html(
            '<tspan x="{}" y="{}">{}</tspan>', f"{cx:.0f}", f"{node.y + 20 + i * 17:.0f}", line
        )
    fields = {
        "name": node.name,
        "kind": node.kind,
        "x": f"{node.x:.0f}",
        "y": f"{node.y:.0f}",
        "w": BOX_W,
        "h": BOX_H,
        "text": text,
        "cx": f"{cx:.0f}",
        "ky": f"{node.y + BOX_H - 10:.0f}",
    }
    if not node.href:  # a restricted group the reader may not open: name only, no link
        return format_html(
            '<g class="sp-structure__closed"><title>{name} ({kind}, members only)</title>'
            '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" class="sp-structure__box"'
            ' fill="#f3f2f1" stroke="#505a5f" stroke-width="2" stroke-dasharray="6 4"/>'
            '<text class="sp-structure__name" text-anchor="middle" font-size="14"'
            ' font-weight="700" fill="#0b0c0c">{text}</text>'
            '<text class="sp-structure__kind" text-anchor="middle" font-size="12" fill="#505a5f"'
            ' x="{cx}" y="{ky}">{kind}</text></g>',
            **fields,
        )
    return format_html(
        '<a href="{href}" class="sp-structure__link"><title>{name} ({kind})</title>'
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" class="sp-structure__box"'
        ' fill="#ffffff" stroke="#00605f" stroke-width="2"/>'
        '<text class="sp-structure__name" text-anchor="middle" font-size="14" font-weight="700"'
        ' fill="#1d70b8">{text}</text>'
        '<text class="sp-structure__kind" text-anchor="middle" font-size="12" fill="#505a5f"'
        ' x="{cx}" y="{ky}">{kind}</text></a>',
        href=node.href,
        **fields,
    )


def _line(child: Node, parent: Node) -> SafeString:
    """An elbow from the child's box up to the bottom of its parent's, arrow at the parent.

    A stacked child joins from its left side through the gap beside its column."""
    x2, y2 = parent.x + BOX_W / 2, parent.y + BOX_H
    mid = y2 + GAP_Y / 2
    if child.stacked:
        bus = child.x - GAP_X / 2
        start = f"M{child.x:.0f} {child.y + BOX_H / 2:.0f} H{bus:.0f}"
        d = f"{start} V{mid:.0f} H{x2:.0f} V{y2 + 3:.0f}"
    else:
        d = f"M{child.x + BOX_W / 2:.0f} {child.y:.0f} V{mid:.0f} H{x2:.0f} V{y2 + 3:.0f}"
    return format_html(
        '<path d="{}" fill="none" stroke="#0b0c0c" stroke-width="1.5"'
        ' marker-end="url(#sp-arrow)" class="sp-structure__line"/>',
        d,
    )


def render_svg(roots: Sequence[Node], title: str) -> SafeString:
    """The whole diagram as an `<svg>` element, ready to put in a page."""
    width, height = layout(roots)
    nodes = _walk(roots)
    lines = SafeString("")
    boxes = SafeString("")
    for node in nodes:
        for child in node.children:
            lines += _line(child, node)
        boxes += _box(node)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="sp-structure" role="group"'
        ' aria-labelledby="sp-structure-title" width="{w}" height="{h}"'
        ' viewBox="0 0 {w} {h}"><title id="sp-structure-title">{title}</title>'
        '<defs><marker id="sp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8"'
        ' markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"'
        ' fill="#0b0c0c"/></marker></defs>{lines}{boxes}</svg>',
        w=width,
        h=height,
        title=title,
        lines=lines,
        boxes=boxes,
    )


def nodes_for_groups(groups: Sequence[Group], href: Callable[[Group], str]) -> list[Node]:
    """One node per group; `href` gives the link of its box ("" for no link)."""
    return [
        Node(key=g.pk, name=g.name, kind=g.get_kind_display(), href=href(g), parent=g.parent_id)
        for g in groups
    ]
