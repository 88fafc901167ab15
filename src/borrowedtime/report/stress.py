"""Report section: the cascade run forward (network with losses, the timeline of one path, trigger-time
and loss distributions, the tornado). :func:`stress_html` formats a computed result and runs no model."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from borrowedtime.report._html import figure_html, table_html

_KIND_ORDER = {"lab": 0, "hyperscaler": 1, "neocloud": 2, "chipmaker": 2, "spv": 3, "investor": 3, "lender": 4,
               "insurer": 4, "other": 4}


def _network_figure(result):
    import networkx as nx
    import plotly.graph_objects as go

    net = result.model.network
    g = net.to_networkx()
    ents = {e["name"]: e for e in result.entities()}
    for _n, d in g.nodes(data=True):
        d["layer"] = _KIND_ORDER.get(d["kind"], 4)
    g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0])
    # layers as sorted lists: networkx groups them in sets, whose order (and so the layout and the
    # page's bytes) would change from one process to the next with string hashing
    layers: dict[int, list] = {}
    for n, d in g.nodes(data=True):
        layers.setdefault(d["layer"], []).append(n)
    pos = nx.multipartite_layout(g, subset_key={k: sorted(v, key=str) for k, v in sorted(layers.items())},
                                 align="vertical")
    ex, ey = [], []
    for a, b in g.edges:
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    nodes = list(g.nodes)
    loss = np.array([ents[n]["loss_usd_bn"]["p50"] for n in nodes])
    pdef = np.array([ents[n]["p_default"] for n in nodes])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line={"color": "#bbb", "width": 1}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", text=nodes,
        textposition="middle right", showlegend=False,
        marker={"size": 8 + 30 * np.sqrt(loss / max(loss.max(), 1e-9)), "color": pdef, "colorscale": "Reds",
                "cmin": 0, "cmax": 1, "colorbar": {"title": "P(default)"}, "line": {"color": "#333", "width": 1}},
        hovertext=[f"{n}: median loss {lo:,.1f} bn, P(default) {p:.2f}" for n, lo, p in zip(nodes, loss, pdef,
                                                                                              strict=True)],
        hoverinfo="text",
    ))
    fig.update_layout(title="Who owes whom (debtor to creditor, left to right); size: median loss; colour: P(default)",
                      height=560, xaxis={"visible": False}, yaxis={"visible": False}, margin={"l": 10, "r": 10})
    return fig


def _trigger_figure(result):
    import plotly.graph_objects as go

    t = result.runs["base"]["trigger"]
    T = result.model.horizon
    counts = np.bincount(np.where(t < 0, T, t), minlength=T + 1)
    labels = [result.label(q) for q in range(T)] + ["none"]
    fig = go.Figure(go.Bar(x=labels, y=counts / t.size, marker_color=["#d95f02"] * T + ["#999"]))
    fig.update_layout(title="Quarter of the trigger (the first mark that fails to clear), share of paths",
                      yaxis_tickformat=".0%", height=360, xaxis_title="quarter of the trigger (none: within the horizon, no trigger)",
                      yaxis_title="share of paths (%)")
    return fig


def _loss_figure(result, top: int = 10):
    import plotly.graph_objects as go

    loss = result.runs["base"]["loss"]
    order = np.argsort(-np.median(loss, axis=0))[:top]
    fig = go.Figure()
    for i in order:
        fig.add_trace(go.Box(y=loss[:, i], name=result.names[i], boxpoints=False))
    fig.update_layout(title="Loss by entity over the horizon (USD bn; credit losses and impairments)",
                      showlegend=False, height=380, xaxis_title="entity", yaxis_title="loss over the horizon, USD bn")
    return fig


def _tornado_figure(result):
    import plotly.graph_objects as go

    rows = result.tornado()
    if not rows:
        return None
    frame = pd.DataFrame(rows).iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["loss_usd_bn_effect"], y=frame["input"], orientation="h",
                           marker_color=np.where(frame["loss_usd_bn_effect"] > 0, "#d95f02", "#1b9e77")))
    fig.update_layout(title="Tornado: mean total loss, top decile of the input minus bottom decile (USD bn)",
                      height=360, xaxis_title="effect on the mean total loss, USD bn (top minus bottom decile)",
                      yaxis_title="input")
    return fig


def _central_html(result) -> str:
    """The deterministic central path beside the treadmill (the reconciliation), and its timeline."""
    c = result.central_path()
    rows = []
    for lab in c["labs"]:
        if lab["first_round"] is None:
            continue
        txt = (f"{lab['lab']}: first round {lab['first_round']}, required step-up {lab['required_step_up']:.2f}, "
               f"achievable {lab['achievable_step_up']:.2f}, trigger {lab['trigger'] or 'none within the horizon'}")
        t = lab.get("treadmill")
        if t:
            txt += (f"; the treadmill on the same inputs (round {t['next_date']}, {t['compute']} reading, undated "
                    f"term {t['undated_term_years']:g} years, dilution {t['dilution']:.1%}): raise "
                    f"{t['required_raise_usd_bn']:,.1f} bn, required {t['required_step_up']:.2f}, {t['achievable']} "
                    f"{t['achievable_step_up']:.2f}, trigger {'yes' if t['trigger'] else 'no'}")
        rows.append(f"<li>{html.escape(txt)}</li>")
    items = "".join(f"<li>{html.escape(x)}</li>" for x in c["timeline"])
    return ("<h3>The central path (every input at its median, no shock) and the treadmill</h3>"
            f"<ul>{''.join(rows)}</ul><details><summary>Its timeline</summary><ul>{items}</ul></details>")


def _sensitivity_html(result) -> str:
    rows = result.sensitivity()
    if not rows:
        return ""
    frame = pd.DataFrame([{"input": r["input"], "value": r["value"], "trigger share": f"{r['trigger_share']:.1%}",
                           "the scenario's": "yes" if r["scenario_value"] else ""} for r in rows])
    return (f"<details open><summary>Trigger share against the growth dynamics (same {rows[0]['paths']:,} paths)"
            f"</summary>{table_html(frame, float_format='{:g}')}</details>")


def stress_html(result, timeline: list[str] | None = None) -> str:
    """The section's HTML from a :class:`~borrowedtime.cascade.StressResult` and one path's timeline."""
    t = result.trigger_quarter()
    head = (f"<p>{html.escape(result.scenario.description)} {result.paths:,} paths, seed {result.seed}, "
            f"chunks of {result.chunk_size:,} (<code>borrowedtime stress {html.escape(result.scenario.name)} "
            f"--paths {result.paths} --seed {result.seed}</code> prints the same figures), "
            f"{result.model.horizon} quarters from {result.label(0)}. No trigger within the horizon in "
            f"{t['no_trigger_share']:.0%} of paths"
            + (f"; median trigger {t['median_label']}" if "median_label" in t else "") + ".</p>"
            f"<p><b>What it rests on:</b> {html.escape(result.rests_on())}. The growth deviation reverts with "
            "that half-life (a reading of a published persistence figure; the dispersions are assumptions): "
            "see docs/cascade.md.</p>")
    parts = [head, _sensitivity_html(result), _central_html(result), figure_html(_network_figure(result))]
    if timeline:
        items = "".join(f"<li>{html.escape(x)}</li>" for x in timeline)
        ex = result.example_path()
        parts.append(f"<h3>One path, quarter by quarter (path {ex['path']}: the run's first on which a mark fails)"
                     f"</h3><ul>{items}</ul>")
    parts += [figure_html(_trigger_figure(result)), figure_html(_loss_figure(result))]
    ents = pd.DataFrame([{"entity": e["name"], "kind": e["kind"], "P(default)": e["p_default"],
                          "loss median (bn)": e["loss_usd_bn"]["p50"], "loss p95 (bn)": e["loss_usd_bn"]["p95"],
                          "first distress (median)": result.label(e["first_distress_quarter"])
                          if e["first_distress_quarter"] is not None else None}
                         for e in result.entities()])
    ents = ents[(ents["loss p95 (bn)"] > 0) | (ents["P(default)"] > 0)].sort_values("loss median (bn)", ascending=False)
    parts.append(table_html(ents, float_format="{:,.2f}", units={"P(default)": "prob"}))
    st = result.stretches()
    if st:
        parts.append("<h3>The stretches (same draws, path by path)</h3>")
        frame = pd.DataFrame(st)[["name", "quarters_bought_median", "quarters_bought_mean", "share_delayed",
                                  "cost_usd_bn_mean", "paid_by"]]
        whole = bool((frame["quarters_bought_median"].dropna() % 1 == 0).all())
        parts.append(table_html(frame, units={"quarters_bought_median": "int" if whole else "float:1",
                                              "quarters_bought_mean": "float:1", "share_delayed": "pct",
                                              "cost_usd_bn_mean": "usd_bn"}))
    fig = _tornado_figure(result)
    if fig is not None:
        parts.append(figure_html(fig))
    return "\n".join(parts)


def render(inputs) -> str:
    """The section from :class:`borrowedtime.reporting.StressInputs` (the base scenario and one path's timeline)."""
    return stress_html(inputs.result, inputs.timeline)


def verdict(inputs) -> str:
    """One line for the report's first screen."""
    t = inputs.result.trigger_quarter()
    text = (f"base scenario, {inputs.result.paths:,} paths: no trigger within the horizon in "
            f"{t['no_trigger_share']:.0%} of them" + (f"; median trigger {t['median_label']}" if "median_label" in t
                                                       else "") + f"; {inputs.result.rests_on()}")
    return html.escape(text)
