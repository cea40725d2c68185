"""The structure diagram's layout: every box on the canvas, none overlapping."""

from __future__ import annotations

import itertools

import pytest

from saferplaces.partnership.diagram import BOX_H, BOX_W, Node, build_forest, layout, render_svg


def _tree(leaves: int) -> list[Node]:
    nodes = [
        Node(1, "County <b>", "County strategy group", "/g/1/", None),
        Node(2, "Executive", "Strategy group", "/g/2/", 1),
        Node(3, "LPG", "Thematic delivery group", "/g/3/", 2),
        Node(4, "Revolution", "Panel", "/g/4/", 3),
        Node(5, "Revolution ops", "Panel", "/g/5/", 4),
    ]
    nodes += [
        Node(10 + i, f"Leaf {i}", "Task and time group", f"/g/{10 + i}/", 3) for i in range(leaves)
    ]
    return nodes


@pytest.mark.parametrize("leaves", [0, 2, 3, 4, 7, 12])
def test_boxes_fit_and_do_not_overlap(leaves: int) -> None:
    nodes = _tree(leaves)
    roots = build_forest(nodes)
    width, height = layout(roots)
    for n in nodes:
        assert n.x >= 0 and n.x + BOX_W <= width and n.y >= 0 and n.y + BOX_H <= height
    for a, b in itertools.combinations(nodes, 2):
        apart = a.x + BOX_W <= b.x or b.x + BOX_W <= a.x or a.y + BOX_H <= b.y or b.y + BOX_H <= a.y
        assert apart, (a.name, b.name)
    if leaves > 3:  # stacked in at most two columns beside the Revolution branch
        assert width <= 4 * (BOX_W + 36) + 2 * 26


def test_svg_escapes_names_and_links_every_box() -> None:
    nodes = _tree(7)
    svg = str(render_svg(build_forest(nodes), "Structure & lines"))
    assert "County &lt;b&gt;" in svg and "<b>" not in svg
    assert "Structure &amp; lines" in svg
    for n in nodes:
        assert f'href="{n.href}"' in svg
    assert svg.count("sp-structure__line") == len(nodes) - 1


def test_a_parent_outside_the_drawing_makes_a_root() -> None:
    roots = build_forest([Node(1, "A", "k", "/a/", 99), Node(2, "B", "k", "/b/", 1)])
    assert [r.name for r in roots] == ["A"] and roots[0].children[0].name == "B"
