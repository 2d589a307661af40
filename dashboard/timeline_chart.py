"""The policy-timeline figure: one lane per level (national, the cities, other regions), one marker per dated
event (shape = kind, colour = topic, both in the legend so nothing depends on colour alone), a bar for what an
event sets running until a date, today's line, and the expiries that affect the profile ringed in red. Labels
come translated; a pure function, tested directly. PNG export through kaleido with Debian chromium (no
geo subplot, so no topojson is involved)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import plotly.graph_objects as go

from dashboard.catalog import procedures as P
from dashboard.engine.timeline import date_label
from dashboard.maps import FONT_FAMILY

# Okabe-Ito plus grey, as in charts.py.
TOPIC_COLOURS = {"visa": "#0072B2", "work_permit": "#56B4E9", "residence": "#009E73", "hukou": "#CC79A7",
                 "tax": "#D55E00", "housing": "#E69F00", "living": "#F0E442", "talent": "#000000",
                 "immigration": "#999999", "zone": "#882255"}
KIND_SYMBOLS = {"enacted": "circle", "in_force": "diamond", "extended": "triangle-up", "expires": "x",
                "announced": "star", "window": "square", "pending": "circle-open"}
LANES = ("national", "beijing", "shanghai", "shenzhen", "hangzhou", "chengdu", "guangdong", "hainan")
HIGHLIGHT = "#C00000"


def labels(lang: str) -> dict[str, str]:
    """The figure's labels in ``lang`` (the page and the tests use the same)."""
    from dashboard.catalog import schema as S
    from dashboard.i18n import t

    return {f"lane.{ln}": t(f"tl.lane.{ln}", lang) for ln in LANES} | \
        {f"topic.{x}": t(f"tl.topic.{x}", lang) for x in P.TOPICS} | \
        {f"kind.{x}": t(f"tl.kind.{x}", lang) for x in P.EVENT_KINDS} | \
        {f"verify.{v}": t(f"verify.{v}", lang) for v in S.VERIFICATIONS} | \
        {"title": t("tl.chart_title", lang), "today": t("tl.today", lang), "affects": t("tl.affects_short", lang),
         "sources": t("tl.sources_n", lang), "legend.topic": t("tl.topics", lang), "legend.kind": t("tl.kinds", lang)}


def lane(ev: P.TimelineEvent) -> str:
    """The lane an event is drawn in: its level (a national event naming one city stays national)."""
    return ev.level


def timeline_figure(events: Sequence[P.TimelineEvent], labels: Mapping[str, str], *, lang: str, today: date,
                    highlight: Iterable[str] = (), height: int | None = None) -> go.Figure:
    """``labels``: "lane.<level>", "topic.<topic>", "kind.<kind>", "title", "today", "affects" in the page's
    language. ``highlight``: ids of events to ring (expiries that affect the profile)."""
    hl = set(highlight)
    dated = [e for e in events if e.date is not None]
    lanes = [ln for ln in LANES if any(lane(e) == ln for e in dated)] or ["national"]
    ylab = {ln: labels.get(f"lane.{ln}", ln) for ln in lanes}
    fig = go.Figure()
    # what an event sets running until a date (a window, a validity): a thin bar behind the markers
    for e in dated:
        if e.until is not None:
            fig.add_scatter(x=[e.date, e.until], y=[ylab[lane(e)]] * 2, mode="lines", showlegend=False, hoverinfo="skip",
                            line={"color": TOPIC_COLOURS[e.topic], "width": 5}, opacity=0.35)
    # Legend: a circle per topic (a click hides or shows the topic) and a grey shape per kind of event; the
    # markers themselves carry both, so the legend entries are separate traces grouped with what they stand for.
    def header(text: str) -> None:
        if text:
            fig.add_scatter(x=[None], y=[None], mode="markers", name=f"<b>{text}</b>", legendgroup=f"hdr-{text}",
                            marker={"size": 1, "opacity": 0}, hoverinfo="skip")

    header(labels.get("legend.topic", ""))
    for topic, colour in TOPIC_COLOURS.items():
        evs = [e for e in dated if e.topic == topic]
        if not evs:
            continue
        group = f"topic-{topic}"
        fig.add_scatter(x=[None], y=[None], mode="markers", name=labels.get(f"topic.{topic}", topic), legendgroup=group,
                        marker={"color": colour, "size": 10, "symbol": "circle", "line": {"color": "#333333", "width": 0.8}})
        name = [e.name_zh if lang == "zh" else e.name_en for e in evs]
        fig.add_scatter(
            x=[e.date for e in evs], y=[ylab[lane(e)] for e in evs], mode="markers", name=labels.get(f"topic.{topic}", topic),
            legendgroup=group, showlegend=False,
            marker={"color": colour, "size": [15 if e.id in hl else 11 for e in evs],
                    "symbol": [KIND_SYMBOLS[e.kind] for e in evs],
                    "line": {"color": [HIGHLIGHT if e.id in hl else "#333333" for e in evs],
                             "width": [3 if e.id in hl else 0.8 for e in evs]}},
            customdata=[[date_label(e), labels.get(f"kind.{e.kind}", e.kind), (e.who_zh if lang == "zh" else e.who_en) or "",
                         labels.get(f"verify.{e.verification}", e.verification), len(e.sources),
                         labels.get("affects", "") if e.id in hl else ""] for e in evs],
            text=name,
            hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{text}<br>%{customdata[2]}<br>"
                          "%{customdata[3]} · %{customdata[4]} " + labels.get("sources", "") +
                          "<br><b>%{customdata[5]}</b><extra></extra>")
    header(labels.get("legend.kind", ""))
    for kind, symbol in KIND_SYMBOLS.items():
        if any(e.kind == kind for e in dated):
            fig.add_scatter(x=[None], y=[None], mode="markers", name=labels.get(f"kind.{kind}", kind),
                            legendgroup=f"kind-{kind}", marker={"symbol": symbol, "color": "#666666", "size": 10})
    fig.add_shape(type="line", x0=today, x1=today, y0=0, y1=1, yref="paper", line={"color": "#444444", "dash": "dot"})
    fig.add_annotation(x=today, y=1, yref="paper", text=labels.get("today", "today"), showarrow=False, yanchor="bottom",
                       font={"size": 11})
    for e in dated:
        if e.id in hl:
            fig.add_annotation(x=e.date, y=ylab[lane(e)], text=date_label(e), showarrow=True, arrowcolor=HIGHLIGHT,
                               font={"color": HIGHLIGHT, "size": 11}, ay=-28)
    xs = [e.date for e in dated] + [e.until for e in dated if e.until] + [today]
    lo, hi = min(xs), max(xs)
    fig.update_layout(
        title=labels.get("title", ""), font={"family": FONT_FAMILY}, height=height or 170 + 55 * len(lanes),
        xaxis={"type": "date", "range": [lo - timedelta(days=120), hi + timedelta(days=120)], "showgrid": True},
        yaxis={"categoryorder": "array", "categoryarray": [ylab[ln] for ln in reversed(lanes)], "title": None},
        legend={"orientation": "h", "y": -0.15, "groupclick": "togglegroup", "tracegroupgap": 0},
        margin={"t": 60, "b": 20, "l": 10, "r": 10},
        plot_bgcolor="white",
    )
    return fig


def to_png(fig: go.Figure, *, width: int = 1400, height: int | None = None, scale: float = 2.0) -> bytes:
    """A PNG for briefings (kaleido drives Debian chromium; nothing is downloaded)."""
    return fig.to_image(format="png", width=width, height=height or int(fig.layout.height or 600), scale=scale)
