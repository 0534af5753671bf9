"""Charts drawn on the server as inline SVG: no script, no CDN, the same in the static site."""

from html import escape

COLOURS = {"passing": "#3aa757", "failing": "#d93025", "not_run": "#9aa4ae",
           "uncovered": "#f0b429"}


def status_bars(rows: list[tuple[str, dict[str, int]]], labels: dict[str, str]) -> str:
    """One stacked bar per row (a process): its clauses by status, with the counts written
    on the bar and a legend; the SVG carries a title for screen readers."""
    bar_h, gap, label_w, width = 22, 8, 130, 560
    most = max((sum(c.values()) for _, c in rows), default=1) or 1
    unit = (width - label_w - 40) / most
    height = len(rows) * (bar_h + gap) + 34
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             "<title>各流程条款状态</title>"]
    for i, (name, counts) in enumerate(rows):
        y = i * (bar_h + gap)
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
                     f'font-size="13">{escape(name)}</text>')
        x = float(label_w)
        for status, n in counts.items():
            if not n:
                continue
            w = n * unit
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{COLOURS[status]}"><title>{escape(labels[status])} {n}'
                         f'</title></rect>')
            parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle" '
                         f'font-size="12" fill="{"#4a3500" if status == "uncovered" else "#fff"}">'
                         f'{n}</text>')
            x += w
    y = len(rows) * (bar_h + gap) + 10
    for j, (status, colour) in enumerate(COLOURS.items()):
        x = label_w + j * 95
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" font-size="12">'
                     f'{escape(labels[status])}</text>')
    parts.append("</svg>")
    return "".join(parts)


FILLS = {"passing": "#e3f4e6", "failing": "#fde5e3", "not_run": "#eceff2",
         "uncovered": "#fff2d6", None: "#ffffff"}
INKS = {"passing": "#13622a", "failing": "#a1170d", "not_run": "#4a5561", "uncovered": "#8a5300"}
WORST_FIRST = ("failing", "not_run", "uncovered", "passing")


def step_status(statuses: list[str]) -> str | None:
    """A step is as good as its worst clause (a step no clause governs has no colour)."""
    return next((s for s in WORST_FIRST if s in statuses), None)


def process_diagram(steps: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    """The process as designed, left to right: one box per declared step, filled by its
    clauses' results, each clause id a link to its page. `steps`: (name, [(clause id,
    status, href)])."""
    box_w, box_h, gap = 150, 92, 34
    width = max(len(steps) * (box_w + gap) - gap + 2, 200)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
             f'width="{width}" height="{box_h + 2}" viewBox="0 0 {width} {box_h + 2}">',
             "<title>流程设计图</title>",
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
             'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#5f6b78"/></marker></defs>']
    for i, (name, clauses) in enumerate(steps):
        x = 1 + i * (box_w + gap)
        status = step_status([s for _, s, _ in clauses])
        stroke = COLOURS.get(status, "#9aa4ae")
        parts.append(f'<rect x="{x}" y="1" width="{box_w}" height="{box_h}" rx="8" '
                     f'fill="{FILLS[status]}" stroke="{stroke}" stroke-width="2" '
                     f'data-status="{status or "none"}"/>')
        parts.append(f'<text x="{x + box_w / 2}" y="26" text-anchor="middle" font-size="14" '
                     f'font-weight="700">{escape(name)}</text>')
        for j, (clause_id, clause_status, href) in enumerate(clauses):
            cx = x + box_w / 2 + (j % 2 - 0.5) * 62 if len(clauses) > 1 else x + box_w / 2
            cy = 52 + (j // 2) * 20
            parts.append(f'<a href="{escape(href)}"><text x="{cx}" y="{cy}" text-anchor="middle"'
                         f' font-size="12" fill="{INKS[clause_status]}" '
                         f'text-decoration="underline">{escape(clause_id)}</text></a>')
        if i < len(steps) - 1:
            ax = x + box_w
            parts.append(f'<line x1="{ax + 2}" y1="{box_h / 2}" x2="{ax + gap - 4}" '
                         f'y2="{box_h / 2}" stroke="#5f6b78" stroke-width="2" '
                         f'marker-end="url(#arrow)"/>')
    parts.append("</svg>")
    return "".join(parts)


def status_over_runs(series: list[tuple[str, dict[str, int]]], labels: dict[str, str]) -> str:
    """One stacked column per kept run (oldest left): its clauses by status."""
    col_w, gap, height, top, left = 18, 6, 160, 10, 30
    total = max((sum(c.values()) for _, c in series), default=1) or 1
    # At least twelve columns wide: the first and last run's labels must not overlap.
    width = left + max(len(series), 12) * (col_w + gap) + 10
    scale = (height - top) / total
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{width}" height="{height + 24}" viewBox="0 0 {width} {height + 24}">',
             "<title>各次测试运行后的条款状态</title>",
             f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{total}</text>',
             f'<text x="{left - 4}" y="{height}" text-anchor="end" font-size="11">0</text>']
    for i, (label, counts) in enumerate(series):
        x, y = left + i * (col_w + gap), float(height)
        for status in ("passing", "failing", "not_run", "uncovered"):
            h = counts.get(status, 0) * scale
            if h:
                y -= h
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                             f'fill="{COLOURS[status]}"><title>{escape(label)} '
                             f'{escape(labels[status])} {counts[status]}</title></rect>')
    if series:
        parts.append(f'<text x="{left}" y="{height + 16}" font-size="11">'
                     f'{escape(series[0][0])}</text>')
        if len(series) > 1:
            last_right = left + len(series) * (col_w + gap) - gap
            parts.append(f'<text x="{max(last_right, left + 150)}" y="{height + 16}" '
                         f'text-anchor="end" font-size="11">{escape(series[-1][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def directly_follows_graph(edges: list[tuple[str, str, int, str]],
                           activities: dict[str, float], label) -> str:
    """The directly-follows graph: activities in columns by their mean position in the cases
    (`activities`: name → mean position), an arrow per edge labelled with its count and
    median wait. `edges`: (source, target, count, wait text)."""
    node_w, node_h, col_gap, row_gap = 168, 40, 70, 26
    columns: dict[int, list[str]] = {}
    for name, position in sorted(activities.items(), key=lambda a: (a[1], a[0])):
        columns.setdefault(round(position), []).append(name)
    place: dict[str, tuple[float, float]] = {}
    for c, (_, names) in enumerate(sorted(columns.items())):
        for r, name in enumerate(names):
            place[name] = (10 + c * (node_w + col_gap), 60 + r * (node_h + row_gap))
    width = max((x for x, _ in place.values()), default=0) + node_w + 20
    height = max((y for _, y in place.values()), default=0) + node_h + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dfg-graph" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             "<title>直接跟随图</title>",
             '<defs><marker id="dfg-arrow" markerWidth="10" markerHeight="10" refX="9" refY="5" '
             'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" '
             'fill="#5f6b78"/></marker></defs>']
    most = max((e[2] for e in edges), default=1)
    labels: list[str] = []  # drawn last, over lines and boxes, so that none is hidden
    for source, target, count, wait_text in edges:
        (x1, y1), (x2, y2) = place[source], place[target]
        stroke = 1 + 3 * count / most
        if x2 > x1 + node_w + col_gap:  # forward past a column: an arc above the boxes
            ax, ay, bx, by = x1 + node_w / 2, y1, x2 + node_w / 2, y2
            high = min(ay, by) - 45
            path = f"M{ax},{ay} C{ax},{high} {bx},{high} {bx},{by - 2}"
            lx, ly = (ax + bx) / 2, high + 8
        elif x2 > x1:  # forward: from the right side of one box to the left side of the next
            ax, ay, bx, by = x1 + node_w, y1 + node_h / 2, x2, y2 + node_h / 2
            path = f"M{ax},{ay} C{ax + 30},{ay} {bx - 30},{by} {bx - 2},{by}"
            lx, ly = (ax + bx) / 2, (ay + by) / 2 - 4
        else:  # back or within a column: a loop below the boxes
            ax, ay, bx, by = x1 + node_w / 2, y1 + node_h, x2 + node_w / 2, y2 + node_h
            low = max(ay, by) + 40
            path = f"M{ax},{ay} C{ax},{low} {bx},{low} {bx},{by + 2}"
            lx, ly = (ax + bx) / 2, low - 6
        parts.append(f'<path d="{path}" fill="none" stroke="#5f6b78" stroke-width="{stroke:.1f}"'
                     f' marker-end="url(#dfg-arrow)"/>')
        labels.append(f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" font-size="11" '
                      f'fill="#1d2733" stroke="#f6f7f9" stroke-width="4" paint-order="stroke">'
                      f'{count} · {escape(wait_text)}</text>')
    for name, (x, y) in place.items():
        parts.append(f'<rect x="{x}" y="{y}" width="{node_w}" height="{node_h}" rx="6" '
                     f'fill="#fff" stroke="#8c1c13" stroke-width="1.5"/>')
        parts.append(f'<text x="{x + node_w / 2}" y="{y + 25}" text-anchor="middle" '
                     f'font-size="13">{escape(label(name))}</text>')
    parts += labels
    parts.append("</svg>")
    return "".join(parts)


def figure_over_time(title: str, points: list[tuple[str, float | None]], unit: str) -> str:
    """One dashboard figure by day as a line with a dot per day (a day with nothing to count
    breaks the line); the axis reads 0–100 % for a share, 0 to the largest value otherwise.
    Each dot carries its day and value as a tooltip; the last value is written at the end."""
    width, height, left, right, top, bottom = 460, 170, 44, 64, 14, 30
    values = [v for _, v in points if v is not None]
    top_value = 1.0 if unit == "share" else (max(values, default=0) or 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def shown(value: float) -> str:
        return f"{value * 100:.0f}%" if unit == "share" else f"{value:g}"

    def at(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + plot_h * (1 - value / top_value)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart figure" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f"<title>{escape(title)}</title>"]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="#d8dde3"/><text x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{shown(top_value * fraction)}</text>')
    segment: list[str] = []
    for i, (day, value) in enumerate(points + [("", None)]):
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" '
                             f'points="{" ".join(segment)}"/>')
            segment = []
            continue
        x, y = at(i, value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5cad" '
                     f'data-day="{escape(day)}" data-value="{value:g}"><title>{escape(day)}：'
                     f'{shown(value)}</title></circle>')
    if points:
        parts.append(f'<text x="{left}" y="{height - 8}" font-size="11">{escape(points[0][0])}'
                     f'</text><text x="{left + plot_w}" y="{height - 8}" font-size="11" '
                     f'text-anchor="end">{escape(points[-1][0])}</text>')
    last = next((v for _, v in reversed(points) if v is not None), None)
    if last is None:  # nothing to count yet (no application decided, no rating given)
        parts.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2 + 4}" '
                     f'text-anchor="middle" font-size="13" fill="#5f6b78">暂无可计算的数据</text>')
    else:
        x, y = at(len(points) - 1 - next(i for i, (_, v) in enumerate(reversed(points))
                                         if v is not None), last)
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="12" '
                     f'font-weight="700">{shown(last)}</text>')
    parts.append("</svg>")
    return "".join(parts)
